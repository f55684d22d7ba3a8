import type { RpcEndpoints } from '../../bus/index.js'
import { Invalid } from '../../common/errors/index.js'
import type { RequestSpec } from './host-state.js'
import { selectDestinations } from './select-destinations.js'
import type { SelectionDeps } from './selection.js'

/** Maps the scheduler's RPC methods to what they do; no logic beyond argument checks lives here. */
export function schedulerEndpoints(selection: SelectionDeps | undefined): RpcEndpoints {
  return {
    select_destinations: async (_ctx, args) => {
      if (selection === undefined)
        throw new Invalid(
          'this nova-scheduler was started without placement and host states: it cannot select destinations',
        )
      const uuids = args.instance_uuids
      if (!Array.isArray(uuids) || uuids.length === 0 || !uuids.every((u) => typeof u === 'string'))
        throw new Invalid('select_destinations needs instance_uuids, a non-empty list of strings')
      return await selectDestinations(
        selection,
        specArg(args.spec),
        uuids as string[],
        args.return_alternates === true,
      )
    },
  }
}

function specArg(value: unknown): RequestSpec {
  const v = (value ?? {}) as Record<string, unknown>
  const flavor = v.flavor as Record<string, unknown> | undefined
  const image = v.image as Record<string, unknown> | undefined
  const ok =
    typeof v.instanceUuid === 'string' &&
    typeof v.projectId === 'string' &&
    typeof v.userId === 'string' &&
    typeof flavor === 'object' &&
    flavor !== null &&
    ['vcpus', 'memoryMb', 'rootGb', 'ephemeralGb', 'swap'].every((k) => typeof flavor[k] === 'number') &&
    typeof flavor.extraSpecs === 'object' &&
    typeof image === 'object' &&
    image !== null &&
    typeof image.properties === 'object'
  if (!ok)
    throw new Invalid(
      'select_destinations needs a request spec {instanceUuid, projectId, userId, flavor, image}',
    )
  const group = v.instanceGroup as Record<string, unknown> | undefined
  return {
    schedulerHints: {},
    ignoreHosts: [],
    forceHosts: [],
    forceNodes: [],
    numInstances: 1,
    ...v,
    ...(group === undefined || group === null
      ? {}
      : {
          instanceGroup: {
            rules: {},
            members: [],
            ...group,
            hosts: Array.isArray(group.hosts) ? [...(group.hosts as string[])] : [],
          },
        }),
  } as unknown as RequestSpec
}
