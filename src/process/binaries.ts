/** The daemons a process can run, by Nova's binary names. */
export const DAEMONS = [
  'nova-identity',
  'nova-image',
  'nova-placement',
  'nova-conductor',
  'nova-scheduler',
  'nova-compute',
  'nova-api',
] as const
export type Daemon = (typeof DAEMONS)[number]

/** Start order: what others depend on first (identity first; placement before the scheduler and computes that use it; the conductor before computes that register through it). */
export const START_ORDER: readonly Daemon[] = [
  'nova-identity',
  'nova-image',
  'nova-placement',
  'nova-conductor',
  'nova-scheduler',
  'nova-compute',
  'nova-api',
]

/** Which databases each daemon opens; nova-compute opens none (nova N307). */
export const DATABASES_OF: Readonly<Record<Daemon, readonly ('main' | 'api')[]>> = {
  'nova-identity': ['api'],
  'nova-image': ['api'],
  'nova-placement': ['api'],
  'nova-conductor': ['main', 'api'],
  'nova-scheduler': ['main', 'api'],
  'nova-compute': [],
  'nova-api': ['main', 'api'],
}
