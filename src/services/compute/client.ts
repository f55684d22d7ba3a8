import type { RequestContext } from '../../common/context.js'
import { RpcClient, type MessageBus, type RpcVersionHistory } from '../../bus/index.js'
import type { Selection } from '../scheduler/client.js'

export const COMPUTE_TOPIC = 'compute'

/** Every change to the compute RPC API, oldest first. */
export const COMPUTE_RPC_HISTORY: RpcVersionHistory = [
  {
    version: '1.0',
    change: 'initial: the compute service registers through the conductor and serves compute.<host>',
  },
  {
    version: '1.1',
    change:
      'build_and_run_instance and terminate_instance (casts): the first cut of the build and delete flows',
  },
  {
    version: '1.2',
    change:
      'server actions: reboot/stop/start/pause/unpause/suspend/resume_instance, trigger_crash_dump, ' +
      'soft_delete_instance and restore_instance (casts); set_admin_password and get_console_output (calls)',
  },
  {
    version: '1.3',
    change:
      'moves (casts): rebuild_instance; prep_resize, resize_instance, finish_resize, confirm_resize, ' +
      'revert_resize, finish_revert_resize; shelve_instance, shelve_offload_instance, unshelve_instance; ' +
      'rescue_instance, unrescue_instance; snapshot_instance, backup_instance',
  },
  {
    version: '1.4',
    change:
      'support calls: get_diagnostics / get_instance_diagnostics, get_host_uptime; external_instance_event (cast)',
  },
  {
    version: '1.5',
    change:
      'live migration: check_can_live_migrate_destination / _source, pre_live_migration, ' +
      'post_live_migration_at_destination (calls); live_migration, rollback_live_migration_at_destination, ' +
      'live_migration_force_complete, live_migration_abort (casts)',
  },
  {
    version: '1.6',
    change:
      'evacuate: rebuild_instance with recreate (cast to the destination: migration_id, node, node_uuid, ' +
      'admin_password, on_shared_storage, target_state)',
  },
]
export const COMPUTE_RPC_VERSION = '1.6'

/** The live migration methods of compute 1.5 (compute/operations/live-migration.ts describes their arguments). */
export type LiveMigrationCall =
  | 'check_can_live_migrate_destination'
  | 'check_can_live_migrate_source'
  | 'pre_live_migration'
  | 'post_live_migration_at_destination'
export type LiveMigrationCast =
  | 'live_migration'
  | 'rollback_live_migration_at_destination'
  | 'live_migration_force_complete'
  | 'live_migration_abort'

/** The casts of compute 1.3 (moves.ts in compute/operations describes each one's arguments). */
export type MoveMethod =
  | 'rebuild_instance'
  | 'prep_resize'
  | 'resize_instance'
  | 'finish_resize'
  | 'confirm_resize'
  | 'revert_resize'
  | 'finish_revert_resize'
  | 'shelve_instance'
  | 'shelve_offload_instance'
  | 'unshelve_instance'
  | 'rescue_instance'
  | 'unrescue_instance'
  | 'snapshot_instance'
  | 'backup_instance'

/** The casts of compute 1.2 that take only the instance (Nova's instance-action RPC methods). */
export type InstanceActionMethod =
  | 'stop_instance'
  | 'start_instance'
  | 'pause_instance'
  | 'unpause_instance'
  | 'suspend_instance'
  | 'resume_instance'
  | 'trigger_crash_dump'
  | 'soft_delete_instance'
  | 'restore_instance'

/** An instance as the 1.4 support methods name it: its uuid and database id (the guest's name comes from it). */
export interface InstanceRef {
  readonly uuid: string
  readonly id: number
}

/** What get_diagnostics answers: the guest's power state, and its diagnostics when it is running. */
export interface DiagnosticsAnswer {
  readonly state: string
  readonly diagnostics?: Readonly<Record<string, unknown>>
  /** The driver has no standard diagnostics (Nova's NotImplementedError). */
  readonly notImplemented?: boolean
}

/** One os-server-external-events event (Nova's InstanceExternalEvent). */
export interface ExternalEvent {
  readonly name: string
  readonly server_uuid: string
  readonly status: string
  readonly tag?: string
}

/** What build_and_run_instance carries besides the instance's uuid (re-read from the conductor on arrival). */
export interface BuildAndRunArgs {
  readonly instance_uuid: string
  /** The scheduler's RequestSpec as JSON (flavor, image). */
  readonly request_spec: Record<string, unknown>
  /** The compute node chosen (Nova's `node`). */
  readonly node: string
  /** Placement's allocations claimed for the instance: provider uuid → {resources}. */
  readonly allocations: Readonly<Record<string, { readonly resources: Readonly<Record<string, number>> }>>
  readonly admin_password?: string
  /**
   * The alternates left for a reschedule (the scheduler's, in order) and the attempts made so far (Nova's
   * host_list and filter_properties['retry']); absent when `[scheduler] max_attempts` is 1: no reschedule.
   */
  readonly host_list?: readonly Selection[]
  readonly retry?: BuildRetry
}

/** Nova's filter_properties['retry']: how many builds were tried, on which [host, node]s. */
export interface BuildRetry {
  readonly num_attempts: number
  readonly hosts: readonly (readonly [string, string])[]
}

export interface ComputeClientOptions {
  readonly bus: MessageBus
  readonly timeoutMs: number
  /** `[upgrade_levels] compute`; undefined = no cap. */
  readonly versionCap?: string
}

/** nova-compute's RPC stub (Nova's compute rpcapi): every method goes to `compute.<host>`. */
export class ComputeClient {
  readonly #rpc: RpcClient

  constructor(options: ComputeClientOptions) {
    this.#rpc = new RpcClient({
      bus: options.bus,
      topic: COMPUTE_TOPIC,
      version: '1.0',
      timeoutMs: options.timeoutMs,
      ...(options.versionCap === undefined ? {} : { versionCap: options.versionCap }),
    })
  }

  async buildAndRunInstance(ctx: RequestContext, host: string, args: BuildAndRunArgs): Promise<void> {
    await this.#rpc.cast(ctx, 'build_and_run_instance', { ...args }, { server: host, version: '1.1' })
  }

  async terminateInstance(ctx: RequestContext, host: string, instanceUuid: string): Promise<void> {
    await this.#rpc.cast(
      ctx,
      'terminate_instance',
      { instance_uuid: instanceUuid },
      { server: host, version: '1.1' },
    )
  }

  /** Casts a 1.2 instance action (`method`) to the instance's host. */
  async instanceAction(
    ctx: RequestContext,
    host: string,
    method: InstanceActionMethod,
    instanceUuid: string,
  ): Promise<void> {
    await this.#rpc.cast(ctx, method, { instance_uuid: instanceUuid }, { server: host, version: '1.2' })
  }

  async rebootInstance(
    ctx: RequestContext,
    host: string,
    uuid: string,
    kind: 'SOFT' | 'HARD',
  ): Promise<void> {
    await this.#rpc.cast(
      ctx,
      'reboot_instance',
      { instance_uuid: uuid, reboot_type: kind },
      { server: host, version: '1.2' },
    )
  }

  async stopInstance(ctx: RequestContext, host: string, uuid: string): Promise<void> {
    await this.instanceAction(ctx, host, 'stop_instance', uuid)
  }

  async startInstance(ctx: RequestContext, host: string, uuid: string): Promise<void> {
    await this.instanceAction(ctx, host, 'start_instance', uuid)
  }

  /** A call: the guest's password is set when this resolves (task_state updating_password until then). */
  async setAdminPassword(ctx: RequestContext, host: string, uuid: string, password: string): Promise<void> {
    await this.#rpc.call(
      ctx,
      'set_admin_password',
      { instance_uuid: uuid, new_pass: password },
      { server: host, version: '1.2' },
    )
  }

  /** A call: the last `tailLength` lines of the guest's console log (undefined: all of it). */
  async getConsoleOutput(
    ctx: RequestContext,
    host: string,
    uuid: string,
    tailLength?: number,
  ): Promise<string> {
    return await this.#rpc.call<string>(
      ctx,
      'get_console_output',
      { instance_uuid: uuid, ...(tailLength === undefined ? {} : { tail_length: tailLength }) },
      { server: host, version: '1.2' },
    )
  }

  /**
   * Casts a 1.3 move operation (rebuild, resize, shelve, rescue, snapshot) to `host`; `args` always holds the
   * instance_uuid, the rest is the method's (see compute/operations).
   */
  async move(
    ctx: RequestContext,
    host: string,
    method: MoveMethod,
    args: { readonly instance_uuid: string; readonly [key: string]: unknown },
  ): Promise<void> {
    await this.#rpc.cast(ctx, method, { ...args }, { server: host, version: '1.3' })
  }

  /** Casts rebuild_instance with recreate (an evacuation) to the destination `host`. Needs a 1.6 compute. */
  async rebuildOnDestination(
    ctx: RequestContext,
    host: string,
    args: { readonly instance_uuid: string; readonly [key: string]: unknown },
  ): Promise<void> {
    await this.#rpc.cast(
      ctx,
      'rebuild_instance',
      { ...args, recreate: true },
      { server: host, version: '1.6' },
    )
  }

  /**
   * A call (1.4): the guest's diagnostics, the legacy dict or (`standard`) the 2.48 ones, when it is running;
   * else only its power state.
   */
  async getDiagnostics(
    ctx: RequestContext,
    host: string,
    instance: InstanceRef,
    standard: boolean,
  ): Promise<DiagnosticsAnswer> {
    return await this.#rpc.call<DiagnosticsAnswer>(
      ctx,
      standard ? 'get_instance_diagnostics' : 'get_diagnostics',
      { instance_uuid: instance.uuid, instance_id: instance.id },
      { server: host, version: '1.4' },
    )
  }

  /** A call (1.4): the host's uptime as `uptime` prints it; null when the driver cannot tell. */
  async getHostUptime(ctx: RequestContext, host: string): Promise<string | null> {
    return await this.#rpc.call<string | null>(ctx, 'get_host_uptime', {}, { server: host, version: '1.4' })
  }

  /** A live migration call (1.5) to `host`; `args` always holds the instance_uuid. */
  async liveMigrationCall<T>(
    ctx: RequestContext,
    host: string,
    method: LiveMigrationCall,
    args: Record<string, unknown>,
  ): Promise<T> {
    return await this.#rpc.call<T>(ctx, method, { ...args }, { server: host, version: '1.5' })
  }

  /** A live migration cast (1.5) to `host`; `args` always holds the instance_uuid. */
  async liveMigrationCast(
    ctx: RequestContext,
    host: string,
    method: LiveMigrationCast,
    args: Record<string, unknown>,
  ): Promise<void> {
    await this.#rpc.cast(ctx, method, { ...args }, { server: host, version: '1.5' })
  }

  /** A cast (1.4): external events (network, volume, power, …) for instances on `host`. */
  async externalInstanceEvent(
    ctx: RequestContext,
    host: string,
    instances: readonly InstanceRef[],
    events: readonly ExternalEvent[],
  ): Promise<void> {
    await this.#rpc.cast(
      ctx,
      'external_instance_event',
      { instances: [...instances], events: [...events] },
      { server: host, version: '1.4' },
    )
  }
}
