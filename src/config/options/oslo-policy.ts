import { boolOpt, strOpt } from '../opt.js'

/** oslo.policy's `[oslo_policy]`: where operators override the registered policy defaults. */
export const oslo_policy = {
  policy_file: strOpt({
    default: 'policy.yaml',
    help: 'Policy override file (YAML or JSON). A relative name is looked up beside the configuration files; a missing file means the defaults apply.',
  }),
  enforce_scope: boolOpt({
    default: false,
    help: 'Refuse tokens whose scope (project, domain, system) a rule does not allow.',
  }),
  enforce_new_defaults: boolOpt({
    default: true,
    help: 'Use the role-based defaults (admin, member, reader) without the deprecated ones.',
  }),
} as const
