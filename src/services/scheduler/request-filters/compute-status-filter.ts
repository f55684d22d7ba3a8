import type { RequestFilter } from './request-filter.js'

export const COMPUTE_STATUS_DISABLED = 'COMPUTE_STATUS_DISABLED'

/**
 * Always: compute nodes of disabled nova-compute services carry COMPUTE_STATUS_DISABLED on their provider and
 * are left out by placement (the pre-filter form of ComputeFilter).
 */
export const computeStatusFilter: RequestFilter = {
  name: 'compute_status_filter',
  async apply() {
    return [
      {
        filter: 'compute_status_filter',
        requires: `no ${COMPUTE_STATUS_DISABLED} trait on the compute node`,
        failure: 'compute service disabled',
        rootForbidden: [COMPUTE_STATUS_DISABLED],
      },
    ]
  },
}
