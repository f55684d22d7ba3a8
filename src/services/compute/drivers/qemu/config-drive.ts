import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { configDriveFiles, type ConfigDriveFile, type MetadataInstance } from '../../../../metadata/index.js'
import type { SpawnRequest } from '../../driver/driver.js'
import { SpawnFailed } from '../../driver/errors.js'
import { CDROM_BUSES, defaultCdromBus, type CdromBus, type GuestPaths } from './argv.js'
import { RECORD_FILE, writeGuestRecord, type GuestRecord } from './guest-record.js'

const run = promisify(execFile)

/** The volume label guests look for (cloud-init's ConfigDrive source, the test guest's init). */
export const CONFIG_DRIVE_LABEL = 'config-2'

/** The options the config drive follows (nova.conf). */
export interface ConfigDriveOptions {
  /** `[DEFAULT] mkisofs_cmd` (default genisoimage). */
  readonly mkisofs?: string
  /** `[api] dhcp_domain` (default novalocal; empty: the bare hostname). */
  readonly dhcpDomain?: string
  /** `[api] config_drive_skip_versions`. */
  readonly skipVersions?: string
}

/** The metadata of the instance of a spawn request (what meta_data.json and the EC2 tree tell the guest). */
export function metadataInstanceOf(request: SpawnRequest): MetadataInstance {
  const { instance, image } = request
  const props = image.properties
  return {
    uuid: instance.uuid,
    name: instance.displayName,
    hostname: instance.hostname ?? instance.displayName,
    projectId: instance.projectId,
    launchIndex: instance.launchIndex ?? 0,
    availabilityZone: instance.availabilityZone ?? null,
    reservationId: instance.reservationId ?? null,
    internalId: instance.internalId ?? 0,
    imageId: image.id ?? null,
    ...(props.kernel_id === undefined ? {} : { kernelId: props.kernel_id }),
    ...(props.ramdisk_id === undefined ? {} : { ramdiskId: props.ramdisk_id }),
    flavorName: instance.flavorName ?? '',
    ...(instance.keyPair === undefined ? {} : { keyPair: instance.keyPair }),
    ...(instance.userData === undefined ? {} : { userData: instance.userData }),
    metadata: instance.metadata ?? {},
    ...(instance.rootDeviceName === undefined ? {} : { rootDeviceName: instance.rootDeviceName }),
  }
}

/** The cdrom bus of the image (hw_cdrom_bus, else the machine's default); SpawnFailed for a bus without cdroms. */
export function cdromBusOf(
  uuid: string,
  properties: Readonly<Record<string, string>>,
  machine?: string,
): CdromBus {
  const bus = properties.hw_cdrom_bus ?? defaultCdromBus(machine)
  if ((CDROM_BUSES as readonly string[]).includes(bus)) return bus as CdromBus
  throw new SpawnFailed(
    uuid,
    `hw_cdrom_bus ${bus} cannot hold the config drive's cdrom (use one of ${CDROM_BUSES.join(', ')})`,
  )
}

/**
 * Writes `files` into an ISO9660 image labelled config-2 at `target`, with genisoimage's options as Nova gives
 * them (Rock Ridge and Joliet names, lowercase and several dots allowed), from a staging folder removed after.
 */
export async function writeConfigDriveIso(
  files: readonly ConfigDriveFile[],
  target: string,
  mkisofs = 'genisoimage',
): Promise<void> {
  const staging = await mkdtemp(path.join(tmpdir(), 'nova-config-drive-'))
  try {
    for (const file of files) {
      const full = path.join(staging, file.path)
      await mkdir(path.dirname(full), { recursive: true })
      await writeFile(full, file.data)
    }
    await run(mkisofs, [
      '-o',
      target,
      '-ldots',
      '-allow-lowercase',
      '-allow-multidot',
      '-l',
      '-publisher',
      'nova-ts',
      '-quiet',
      '-J',
      '-r',
      '-V',
      CONFIG_DRIVE_LABEL,
      staging,
    ]).catch((error: Error) => {
      throw new Error(
        `${mkisofs} could not make the config drive (apt-get install genisoimage): ${error.message}`,
      )
    })
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

/**
 * When the instance has a config drive: writes it to `disk.config` in the guest's folder and records its cdrom
 * bus in guest.json (so that every start, and a restarted nova-compute, attaches it again). Returns the record.
 */
export async function addConfigDrive(
  request: SpawnRequest,
  paths: GuestPaths,
  record: GuestRecord,
  options: ConfigDriveOptions = {},
): Promise<GuestRecord> {
  if (request.instance.configDrive !== true) return record
  const bus = cdromBusOf(request.instance.uuid, request.image.properties, record.machineType)
  const files = configDriveFiles(
    metadataInstanceOf(request),
    {
      dhcpDomain: options.dhcpDomain ?? 'novalocal',
      randomSeed: () => randomBytes(512).toString('base64'),
      ...(options.skipVersions === undefined ? {} : { skipVersions: options.skipVersions }),
    },
    {
      ...(request.adminPassword === undefined ? {} : { adminPass: request.adminPassword }),
      ...(request.injectedFiles === undefined ? {} : { files: request.injectedFiles }),
      vifs: request.networkInfo,
    },
  )
  await writeConfigDriveIso(files, paths.configDrive, options.mkisofs)
  const withDrive: GuestRecord = { ...record, configDrive: { bus } }
  await writeGuestRecord(path.join(paths.dir, RECORD_FILE), withDrive)
  return withDrive
}
