import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { Invalid, NoValidHost, PlacementServiceUnavailable } from '../../common/errors/index.js'
import { silentLogger } from '../../common/logger.js'
import { resolveFilters } from './filters/index.js'
import { selectDestinations } from './select-destinations.js'
import type { SelectionDeps } from './selection.js'
import { selectionSettingsFromConfig } from './selection-settings.js'
import { fakePlacement, fixedHostStates, type FakePlacement } from './testing/fake-placement.js'
import { defaultConfig, fakeHost, fakeSpec } from './testing/fakes.js'
import { resolveWeighers } from './weighers/index.js'

const hosts = ['h1', 'h2', 'h3', 'h4'].map((host, i) =>
  fakeHost({ host, uuid: `rp-${host}`, freeRamMb: 16384 - i * 1024 }),
)

function deps(placement: FakePlacement, extra: Partial<SelectionDeps> = {}): SelectionDeps {
  return {
    placement,
    hostStates: fixedHostStates(hosts),
    aggregates: { list: async () => [] },
    filters: resolveFilters(['ComputeFilter']),
    weighers: resolveWeighers(['RAMWeigher']),
    settings: selectionSettingsFromConfig(defaultConfig()),
    logger: silentLogger(),
    ...extra,
  }
}

describe('selectDestinations (scripted placement)', () => {
  it('asks placement once, with the request filters and the limit', async () => {
    const placement = fakePlacement(hosts.map((h) => h.uuid))
    await selectDestinations(deps(placement), fakeSpec(), ['i1', 'i2'], false)
    assert.deepEqual(placement.queries, [
      'limit=1000&root_required=%21COMPUTE_STATUS_DISABLED&resources=DISK_GB%3A20%2CMEMORY_MB%3A2048%2CVCPU%3A1',
    ])
  })

  it('a refused claim (no capacity or conflict) moves on to the next weighed host', async () => {
    const placement = fakePlacement(
      hosts.map((h) => h.uuid),
      (_c, rp) => (rp === 'rp-h1' ? 'no-capacity' : rp === 'rp-h2' ? 'conflict' : 'claimed'),
    )
    const [picked] = await selectDestinations(deps(placement), fakeSpec(), ['i1'], false)
    assert.equal(picked!.host, 'h3')
    assert.deepEqual(
      placement.claims.map((c) => [c.provider, c.outcome]),
      [
        ['rp-h1', 'no-capacity'],
        ['rp-h2', 'conflict'],
        ['rp-h3', 'claimed'],
      ],
    )
  })

  it('when every claim of an instance is refused, earlier claims are deleted and the refusals explained', async () => {
    const placement = fakePlacement(
      hosts.map((h) => h.uuid),
      (c) => (c === 'i3' ? 'no-capacity' : 'claimed'),
    )
    await assert.rejects(
      selectDestinations(deps(placement), fakeSpec(), ['i1', 'i2', 'i3'], false),
      (error: unknown) => {
        assert.ok(error instanceof NoValidHost)
        assert.equal(
          error.message,
          'No valid host was found. 0 of 4 hosts passed for the 3rd of 3 instances: claim: 4 had no room left when claimed.',
        )
        return true
      },
    )
    assert.deepEqual(placement.deleted, ['i1', 'i2'])
  })

  it('placement failing mid-request deletes the claims made and rethrows', async () => {
    const down = new PlacementServiceUnavailable({ status: 503, detail: 'down' })
    const placement = fakePlacement(
      hosts.map((h) => h.uuid),
      (c) => (c === 'i2' ? down : 'claimed'),
    )
    await assert.rejects(selectDestinations(deps(placement), fakeSpec(), ['i1', 'i2'], false), down)
    assert.deepEqual(placement.deleted, ['i1'])
  })

  it('candidates the host state source does not know are counted, not picked', async () => {
    const placement = fakePlacement(['rp-h1', 'rp-ghost'], (c) => (c === 'i2' ? 'no-capacity' : 'claimed'))
    const d = deps(placement, { hostStates: fixedHostStates(hosts.slice(0, 1), 2) })
    const [picked] = await selectDestinations(d, fakeSpec(), ['i1'], true)
    assert.equal(picked!.host, 'h1')
    assert.deepEqual(picked!.alternates, [])
    const error = await selectDestinations(d, fakeSpec(), ['i1', 'i2'], false).catch((e: unknown) => e)
    assert.ok(error instanceof NoValidHost)
    assert.equal(
      error.message,
      'No valid host was found. 0 of 2 hosts passed for the 2nd of 2 instances: ' +
        'scheduler: 1 have no compute node record in an enabled cell; claim: 1 had no room left when claimed.',
    )
    assert.deepEqual(error.details.eliminated![0]!.hosts, ['rp-ghost'])
  })

  it('alternates come from the same cell only', async () => {
    const mixed = hosts.map((h, i) => ({ ...h, cellUuid: i % 2 === 0 ? 'cell1' : 'cell2' }))
    const placement = fakePlacement(mixed.map((h) => h.uuid))
    const [picked] = await selectDestinations(
      deps(placement, { hostStates: fixedHostStates(mixed) }),
      fakeSpec(),
      ['i1'],
      true,
    )
    assert.equal(picked!.host, 'h1')
    assert.deepEqual(
      picked!.alternates.map((a) => a.host),
      ['h3'],
    )
  })

  it('needs at least one instance uuid', async () => {
    await assert.rejects(selectDestinations(deps(fakePlacement([])), fakeSpec(), [], false), Invalid)
  })
})
