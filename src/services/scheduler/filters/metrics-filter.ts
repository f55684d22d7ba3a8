import type { HostFilter } from './host-filter.js'

/** Hosts reporting every metric named in [metrics]weight_setting, so MetricsWeigher can weigh them. */
export const MetricsFilter: HostFilter = {
  name: 'MetricsFilter',
  check(host, _spec, ctx) {
    const missing = [...new Set(ctx.settings.metrics.weightSetting.map(([name]) => name))]
      .filter((name) => !host.metrics.has(name))
      .sort()
    return missing.length === 0 ? undefined : `does not report metrics ${missing.join(', ')}`
  },
}
