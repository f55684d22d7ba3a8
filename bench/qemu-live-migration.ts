import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { InstanceSpec, SpawnRequest } from '../src/services/compute/driver/driver.js'
import { QemuDriver } from '../src/services/compute/drivers/qemu/index.js'
import {
  killGuestsUnder,
  testGuestFetcher,
  testGuestFiles,
  testGuestImageMeta,
} from '../test/support/qemu-guest.js'

/** Moves per figure (the median is reported); the guest goes back and forth between the two hosts. */
const MOVES = 5

export interface LiveMigrationFigure {
  readonly memoryMb: number
  readonly shared: boolean
  /** The source's liveMigration call (QMP migrate, and the disk mirror for a block migration), seconds. */
  readonly transfer: readonly number[]
  /** Checks, pre, transfer and post on both sides: what nova-compute adds on top of the transfer, seconds. */
  readonly total: readonly number[]
}

/**
 * Live migration of a booted test guest between two QEMU drivers on this machine, in the compute manager's order
 * of driver calls: over a shared instances path and by block migration (NBD + mirror), for each memory size.
 */
export async function liveMigrationFigures(memorySizes: readonly number[]): Promise<LiveMigrationFigure[]> {
  const files = await testGuestFiles()
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-bench-livemig-'))
  const meta = testGuestImageMeta(files)
  const drivers: QemuDriver[] = []
  const newDriver = async (sub: string, host: string) => {
    const driver = new QemuDriver({
      instancesPath: path.join(dir, sub),
      virtType: 'auto',
      fetchImage: testGuestFetcher(files),
    })
    await driver.initHost(host)
    drivers.push(driver)
    return driver
  }
  const request = (instance: InstanceSpec): SpawnRequest => ({
    instance,
    image: meta,
    allocations: {},
    networkInfo: [],
    blockDeviceInfo: { blockDevices: [] },
  })
  const move = async (from: QemuDriver, to: QemuDriver, guest: InstanceSpec) => {
    const t0 = performance.now()
    const check = await to.checkCanLiveMigrateDestination(guest, {
      blockMigration: 'auto',
      diskOverCommit: false,
    })
    const plan = await from
      .checkCanLiveMigrateSource(guest, check)
      .finally(() => to.cleanupLiveMigrationDestinationCheck(check))
    const { uri } = await to.preLiveMigration(request(guest), plan)
    const t1 = performance.now()
    await from.liveMigration(
      guest,
      { destinationHost: 'peer', destinationUri: uri, plan },
      { signal: new AbortController().signal, onProgress: () => undefined },
    )
    const transfer = (performance.now() - t1) / 1000
    await from.postLiveMigrationAtSource(guest, plan)
    await to.postLiveMigrationAtDestination(guest, { plan, paused: false })
    return { transfer, total: (performance.now() - t0) / 1000 }
  }
  try {
    const a = await newDriver('a', 'bench-a')
    const sharedPeer = await newDriver('a', 'bench-a2')
    const blockPeer = await newDriver('b', 'bench-b')
    const figures: LiveMigrationFigure[] = []
    for (const memoryMb of memorySizes)
      for (const shared of [true, false]) {
        const guest: InstanceSpec = {
          uuid: randomUUID(),
          name: `bench-${memoryMb}-${shared ? 'shared' : 'block'}`,
          displayName: 'bench live migration',
          projectId: 'bench',
          userId: 'bench',
          flavor: { vcpus: 1, memoryMb, rootGb: 1, ephemeralGb: 0, swapMb: 0 },
        }
        await a.spawn(request(guest))
        // The guest boots (its kernel touches its memory) before it moves.
        while (!/NOVA-TS-GUEST-READY/.test(await a.getConsoleOutput(guest))) await sleep(100)
        const peer = shared ? sharedPeer : blockPeer
        const transfer: number[] = []
        const total: number[] = []
        let [from, to] = [a, peer]
        for (let i = 0; i < MOVES; i++) {
          const t = await move(from, to, guest)
          transfer.push(t.transfer)
          total.push(t.total)
          ;[from, to] = [to, from]
        }
        await from.destroy(guest)
        figures.push({ memoryMb, shared, transfer, total })
      }
    return figures
  } finally {
    for (const driver of drivers) await driver.cleanupHost()
    killGuestsUnder(dir)
    rmSync(dir, { recursive: true, force: true })
  }
}
