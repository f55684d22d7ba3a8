import type { RequestContext } from '../../common/context.js'
import { RpcClient, type MessageBus, type RpcVersionHistory } from '../../bus/index.js'
import type { ComputeNodeFields, ComputeNodeRecord } from '../../db/index.js'
import type { InstanceFault, InstanceRecord } from '../../db/repositories/instances.js'
import type { ServiceIdentity, ServiceRegistry } from '../../service/service-registry.js'
import type { BuildRetry } from '../compute/client.js'
import type { Selection } from '../scheduler/client.js'

export type { ComputeNodeFields } from '../../db/index.js'

/** A compute node row as it crosses the bus (Nova's ComputeNode fields; times as ISO strings). */
export type ComputeNodeView = Omit<ComputeNodeRecord, 'created_at' | 'updated_at'> & {
  readonly created_at: string | null
  readonly updated_at: string | null
  /** The node's nova-compute service is disabled (its provider must carry COMPUTE_STATUS_DISABLED). */
  readonly service_disabled: boolean
}

export const CONDUCTOR_TOPIC = 'conductor'

/** Every change to the conductor's RPC API, oldest first; the last entry is the version the server serves. */
export const CONDUCTOR_RPC_HISTORY: RpcVersionHistory = [
  {
    version: '1.0',
    change: 'service_register and service_heartbeat: the servicegroup proxy for nova-compute',
  },
  {
    version: '1.1',
    change:
      'compute_node_update(host, nodename, fields, defaults): the resource tracker creates or updates its compute node',
  },
  {
    version: '1.2',
    change:
      'the build flow: schedule_and_build_instances (cast); instance_get, instance_update(expected_task_state), ' +
      'instance_fault_create, instance_destroy and action_event_start/finish for nova-compute',
  },
  {
    version: '1.3',
    change:
      "instances_on_host(host): nova-compute's start-up recovery (_init_instance) and power-state sync read its instances",
  },
  {
    version: '1.4',
    change:
      'build_instances(instance_uuids, request_spec, host_list, retry) (cast): nova-compute reschedules a failed ' +
      'build to the next alternate',
  },
  {
    version: '1.5',
    change:
      'moves: migrate_server (call: resize / cold migration), unshelve_instance (cast); migration_get, ' +
      'migration_update and instance_save (flavors, system metadata, rebuild fields) for nova-compute',
  },
  {
    version: '1.6',
    change:
      'evacuate: rebuild_instance (cast: the instance rebuilt on another host), evacuations_from_host (call: ' +
      "the source nova-compute's clean-up at start)",
  },
  {
    version: '1.7',
    change:
      'live migration: live_migrate_instance (call before API 2.34, cast after); migration_update takes the ' +
      'progress fields (memory_*/disk_* total, processed, remaining)',
  },
  {
    version: '1.8',
    change:
      "migrations_in_progress(instance_uuid): an instance's unfinished migrations (nova-compute's start-up reset " +
      'of an interrupted live migration)',
  },
]
export const CONDUCTOR_RPC_VERSION = '1.8'

/** live_migrate_instance's arguments (Nova's ComputeTaskManager.live_migrate_instance). */
export interface LiveMigrateRequest {
  readonly instance_uuid: string
  /** The instance's RequestSpec (the source is ignored by the conductor). */
  readonly request_spec: Record<string, unknown>
  /** The destination asked for; absent: the scheduler picks. */
  readonly host?: string
  /** The host is taken without the scheduler's filters (before 2.30, and 2.30–2.67 with force). */
  readonly force?: boolean
  /** 'auto' (2.25+): the source decides from the storage. */
  readonly block_migration: boolean | 'auto'
  readonly disk_over_commit: boolean
}

/** A migrations row as it crosses the bus (times as ISO strings). */
export interface MigrationView {
  readonly id: number
  readonly uuid: string
  readonly instance_uuid: string
  readonly source_compute: string | null
  readonly dest_compute: string | null
  readonly source_node: string | null
  readonly dest_node: string | null
  readonly dest_host: string | null
  readonly old_instance_type_id: number | null
  readonly new_instance_type_id: number | null
  readonly status: string
  readonly migration_type: string
  readonly created_at: string | null
  readonly updated_at: string | null
}

/** migrate_server's arguments (Nova's ComputeTaskManager.migrate_server, cold). */
export interface MigrateServerRequest {
  readonly instance_uuid: string
  /** The instance's RequestSpec with the new flavor, ignore_hosts and any requested host. */
  readonly request_spec: Record<string, unknown>
  /** The flavor to move to, as instance_extra keeps it (the current one for a cold migration). */
  readonly flavor: Record<string, unknown>
  /** Its flavors row id (migrations.new_instance_type_id). */
  readonly flavor_id: number
  readonly migration_type: 'resize' | 'migration'
  readonly clean_shutdown?: boolean
}

/** rebuild_instance's arguments for an evacuation (Nova's ComputeTaskManager.rebuild_instance, recreate). */
export interface EvacuateRequest {
  readonly instance_uuid: string
  /** The `evacuation` migration the API recorded (`accepted`). */
  readonly migration_id: number
  /** The instance's RequestSpec with the source in ignore_hosts (and a requested host in force_hosts). */
  readonly request_spec: Record<string, unknown>
  /** A forced destination: the scheduler is not asked. */
  readonly host?: string
  readonly admin_password?: string | null
  /** Before 2.14: the caller says the disks are on shared storage. */
  readonly on_shared_storage?: boolean | null
  /** `stopped` from 2.95: the evacuated server ends stopped. */
  readonly target_state?: string
}

/** An evacuation from a host, for that host's clean-up when it comes back. */
export interface EvacuationView {
  readonly migration: MigrationView
  /** The instance's id (it names the guest); null when the instance is gone for good. */
  readonly instance_id: number | null
  readonly instance_deleted: boolean
}

/** Changes nova-compute saves on an instance beyond instance_update: flavors, system metadata, rebuild fields. */
export interface InstanceSave {
  readonly changes?: InstanceChanges
  readonly expected_task_state?: readonly (string | null)[]
  /** Replaces instance_extra.flavor ({cur, old, new}). */
  readonly flavor?: Record<string, unknown>
  /** System metadata keys to set (null removes). */
  readonly system_metadata?: Readonly<Record<string, string | null>>
}

/** An instance as it crosses the bus (the instances row with its children; times as ISO strings). */
export type InstanceView = {
  readonly [K in keyof Omit<InstanceRecord, 'fault'>]: InstanceRecord[K] extends Date | null
    ? string | null
    : InstanceRecord[K]
} & {
  readonly fault: (Omit<InstanceFault, 'created_at'> & { readonly created_at: string | null }) | null
}

/** Changes to an instance sent to the conductor: the instances columns, times as ISO strings. */
export type InstanceChanges = Readonly<Record<string, string | number | boolean | null>>

/** The arguments of schedule_and_build_instances, one request for `instance_uuids` (Nova's build_requests). */
export interface BuildRequest {
  /** The scheduler's RequestSpec (a JSON object; see scheduler/host-state.ts). */
  readonly request_spec: Record<string, unknown>
  readonly instance_uuids: readonly string[]
  /** The generated (or requested) admin password, handed to the driver; never stored. */
  readonly admin_password?: string
}

/** The arguments of build_instances: one instance whose build failed, to be rebuilt on an alternate. */
export interface RescheduleRequest {
  readonly instance_uuid: string
  readonly request_spec: Record<string, unknown>
  /** The alternates not tried yet, best first. */
  readonly host_list: readonly Selection[]
  readonly retry: BuildRetry
  readonly admin_password?: string
}

export interface ConductorClientOptions {
  readonly bus: MessageBus
  readonly timeoutMs: number
  /** Highest version the oldest conductor understands (an upgrade pin); undefined = no cap. */
  readonly versionCap?: string
}

/**
 * The conductor's RPC stub: the only way nova-compute reaches the database. It is also a ServiceRegistry,
 * so a compute service registers and heartbeats through it exactly like a database-backed service would.
 */
export class ConductorClient implements ServiceRegistry {
  readonly #rpc: RpcClient

  constructor(options: ConductorClientOptions) {
    this.#rpc = new RpcClient({
      bus: options.bus,
      topic: CONDUCTOR_TOPIC,
      version: '1.0',
      timeoutMs: options.timeoutMs,
      ...(options.versionCap === undefined ? {} : { versionCap: options.versionCap }),
    })
  }

  async register(ctx: RequestContext, identity: ServiceIdentity): Promise<{ readonly id: number }> {
    return await this.#rpc.call<{ id: number }>(ctx, 'service_register', { identity: { ...identity } })
  }

  async heartbeat(ctx: RequestContext, id: number): Promise<void> {
    await this.#rpc.call(ctx, 'service_heartbeat', { service_id: id })
  }

  /**
   * Creates the compute node (host, nodename) with a uuid made once and kept, or updates it with `fields`;
   * `defaults` apply only to a new row or NULL columns (initial allocation ratios). Returns the row after, with
   * whether the host's nova-compute service is disabled. Needs a 1.1 conductor.
   */
  async computeNodeUpdate(
    ctx: RequestContext,
    host: string,
    nodename: string,
    fields: ComputeNodeFields,
    defaults: ComputeNodeFields = {},
  ): Promise<ComputeNodeView> {
    return await this.#rpc.call<ComputeNodeView>(
      ctx,
      'compute_node_update',
      { host, nodename, fields, defaults },
      { version: '1.1' },
    )
  }

  /** The instance (InstanceNotFound-like RowNotFound when gone). */
  async instanceGet(ctx: RequestContext, uuid: string): Promise<InstanceView> {
    return await this.#rpc.call<InstanceView>(ctx, 'instance_get', { uuid }, { version: '1.2' })
  }

  /** The instances (not deleted) whose host is `host`, oldest first. Needs a 1.3 conductor. */
  async instancesOnHost(ctx: RequestContext, host: string): Promise<InstanceView[]> {
    return await this.#rpc.call<InstanceView[]>(ctx, 'instances_on_host', { host }, { version: '1.3' })
  }

  /**
   * Nova's `instance.save(expected_task_state=…)`: `expected_task_state` undefined checks nothing; a list (null
   * included) must hold the live task_state, else UnexpectedStateError.
   */
  async instanceUpdate(
    ctx: RequestContext,
    uuid: string,
    changes: InstanceChanges,
    expectedTaskState?: readonly (string | null)[],
    /** The update applies only while vm_state is one of these (a conductor older than this field ignores it). */
    expectedVmState?: readonly string[],
  ): Promise<InstanceView> {
    return await this.#rpc.call<InstanceView>(
      ctx,
      'instance_update',
      {
        uuid,
        changes,
        ...(expectedTaskState === undefined ? {} : { expected_task_state: expectedTaskState }),
        ...(expectedVmState === undefined ? {} : { expected_vm_state: expectedVmState }),
      },
      { version: '1.2' },
    )
  }

  async instanceFaultCreate(
    ctx: RequestContext,
    uuid: string,
    fault: { code: number; message: string; details?: string; host?: string },
  ): Promise<void> {
    await this.#rpc.call(ctx, 'instance_fault_create', { uuid, fault }, { version: '1.2' })
  }

  /** Soft-deletes the instance (vm_state deleted) and removes its allocations in placement. */
  async instanceDestroy(ctx: RequestContext, uuid: string): Promise<void> {
    await this.#rpc.call(ctx, 'instance_destroy', { uuid }, { version: '1.2' })
  }

  /** Starts `event` of the action the request `ctx.requestId` started on the instance; its id, or null. */
  async actionEventStart(
    ctx: RequestContext,
    uuid: string,
    event: string,
    host: string,
  ): Promise<number | null> {
    return await this.#rpc.call<number | null>(
      ctx,
      'action_event_start',
      { uuid, event, host },
      { version: '1.2' },
    )
  }

  async actionEventFinish(
    ctx: RequestContext,
    eventId: number,
    result: 'Success' | 'Error',
    traceback?: string,
  ): Promise<void> {
    await this.#rpc.call(
      ctx,
      'action_event_finish',
      { event_id: eventId, result, ...(traceback === undefined ? {} : { traceback }) },
      { version: '1.2' },
    )
  }

  /**
   * Nova's compute_task_api.build_instances with host_lists, cast by nova-compute after a failed build: the
   * conductor claims the next alternate of `host_list` in placement and casts the build there, or puts the
   * instance in ERROR (MaxRetriesExceeded) when none is left. Needs a 1.4 conductor.
   */
  async buildInstances(ctx: RequestContext, request: RescheduleRequest): Promise<void> {
    await this.#rpc.cast(ctx, 'build_instances', { ...request }, { version: '1.4' })
  }

  /** The build flow's entry (a cast, as in Nova): schedule, then cast build_and_run_instance to each host. */
  async scheduleAndBuildInstances(ctx: RequestContext, request: BuildRequest): Promise<void> {
    await this.#rpc.cast(ctx, 'schedule_and_build_instances', { ...request }, { version: '1.2' })
  }

  /**
   * Resize or cold migration (a call, as in Nova, so that NoValidHost reaches the API): records the migration,
   * moves the source allocations to it, schedules and casts prep_resize to the destination. Needs 1.5.
   */
  async migrateServer(ctx: RequestContext, request: MigrateServerRequest): Promise<MigrationView> {
    return await this.#rpc.call<MigrationView>(ctx, 'migrate_server', { ...request }, { version: '1.5' })
  }

  /**
   * Live migration (Nova's live_migrate_instance): a call before API 2.34 (the checks' errors reach the API), a
   * cast from 2.34 (`async`: they only show in the instance action and the migration). Needs 1.7.
   */
  /** The instance's migrations not finished yet (any type), oldest first. Needs 1.8. */
  async migrationsInProgress(ctx: RequestContext, instanceUuid: string): Promise<MigrationView[]> {
    return await this.#rpc.call<MigrationView[]>(
      ctx,
      'migrations_in_progress',
      { instance_uuid: instanceUuid },
      { version: '1.8' },
    )
  }

  async liveMigrateInstance(ctx: RequestContext, request: LiveMigrateRequest, async: boolean): Promise<void> {
    if (async) await this.#rpc.cast(ctx, 'live_migrate_instance', { ...request }, { version: '1.7' })
    else await this.#rpc.call(ctx, 'live_migrate_instance', { ...request }, { version: '1.7' })
  }

  /** Unshelve (a cast): schedules an offloaded instance again, or starts a shelved one where it is. */
  async unshelveInstance(
    ctx: RequestContext,
    instanceUuid: string,
    requestSpec: Record<string, unknown>,
  ): Promise<void> {
    await this.#rpc.cast(
      ctx,
      'unshelve_instance',
      { instance_uuid: instanceUuid, request_spec: requestSpec },
      { version: '1.5' },
    )
  }

  async migrationGet(ctx: RequestContext, id: number): Promise<MigrationView> {
    return await this.#rpc.call<MigrationView>(ctx, 'migration_get', { migration_id: id }, { version: '1.5' })
  }

  async migrationUpdate(
    ctx: RequestContext,
    id: number,
    changes: Readonly<Record<string, string | number | null>>,
  ): Promise<MigrationView> {
    return await this.#rpc.call<MigrationView>(
      ctx,
      'migration_update',
      { migration_id: id, changes },
      { version: '1.5' },
    )
  }

  /** Evacuate (a cast): schedules (or claims the forced host), casts rebuild_instance there. Needs 1.6. */
  async rebuildInstance(ctx: RequestContext, request: EvacuateRequest): Promise<void> {
    await this.#rpc.cast(ctx, 'rebuild_instance', { ...request }, { version: '1.6' })
  }

  /** The evacuations from `host` still accepted, pre-migrating or done (Nova's query at init_host). Needs 1.6. */
  async evacuationsFromHost(ctx: RequestContext, host: string): Promise<EvacuationView[]> {
    return await this.#rpc.call<EvacuationView[]>(ctx, 'evacuations_from_host', { host }, { version: '1.6' })
  }

  /** instance_update plus flavors and system metadata (Nova's instance.save of a move). Needs 1.5. */
  async instanceSave(ctx: RequestContext, uuid: string, save: InstanceSave): Promise<InstanceView> {
    return await this.#rpc.call<InstanceView>(ctx, 'instance_save', { uuid, ...save }, { version: '1.5' })
  }
}
