import { boolOpt, hostOpt, portOpt, strOpt, uriOpt } from '../opt.js'
import { keystoneauthSection } from './keystoneauth.js'

/**
 * `[placement]`: how Nova reaches the placement service (keystoneauth options), plus the placement service's
 * own options (placement.conf's `[placement]` names) and where the built-in one listens.
 */
export const placement = {
  ...keystoneauthSection('placement'),
  listen: hostOpt({ default: '0.0.0.0', help: 'Address the built-in placement service listens on.' }),
  port: portOpt({ default: 8778, help: 'Port the built-in placement service listens on.' }),
  public_endpoint: uriOpt({
    help: 'Base URL clients use for the placement service (default: http://<my_ip>:<port>).',
  }),
  randomize_allocation_candidates: boolOpt({
    default: false,
    help: 'Return allocation candidates in random order (before `limit` is applied) instead of a stable one.',
  }),
  incomplete_consumer_project_id: strOpt({
    default: '00000000-0000-0000-0000-000000000000',
    help: 'Project recorded for allocations written without one (microversions before 1.8).',
  }),
  incomplete_consumer_user_id: strOpt({
    default: '00000000-0000-0000-0000-000000000000',
    help: 'User recorded for allocations written without one (microversions before 1.8).',
  }),
} as const
