import { boolOpt, floatOpt, listOpt } from '../opt.js'

/** `[metrics]`: how MetricsFilter and MetricsWeigher use the metrics computes report. */
export const metrics = {
  weight_multiplier: floatOpt({
    default: 1.0,
    help: 'MetricsWeigher multiplier; 0 ignores metric values and weighs every host alike.',
  }),
  weight_setting: listOpt({
    help: 'name=ratio pairs: the metrics weighed and the ratio of each (e.g. cpu.frequency=1.0).',
  }),
  required: boolOpt({
    default: true,
    help: 'A host missing a weighed metric is an error (use MetricsFilter); false gives it weight_of_unavailable.',
  }),
  weight_of_unavailable: floatOpt({
    default: -10000.0,
    help: 'Weight of a host missing a weighed metric when metrics are not required.',
  }),
} as const
