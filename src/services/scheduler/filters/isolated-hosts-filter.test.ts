import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { IsolatedHostsFilter } from './isolated-hosts-filter.js'

const iso = fakeHost({ host: 'iso' })
const plain = fakeHost({ host: 'plain' })
const isoImage = fakeSpec({ image: { id: 'img-iso' } })
const plainImage = fakeSpec({ image: { id: 'img-plain' } })
const volumeBacked = fakeSpec({ image: { id: undefined } })
const NEEDS = 'is not an isolated host (the image is isolated)'
const ONLY = 'is an isolated host (only isolated images)'

describe('IsolatedHostsFilter', () => {
  it('restricted (default): isolated images on isolated hosts only, and nothing else there', () => {
    const ctx = fakeContext({ isolatedHosts: ['iso'], isolatedImages: ['img-iso'] })
    assert.equal(IsolatedHostsFilter.check(iso, isoImage, ctx), undefined)
    assert.equal(IsolatedHostsFilter.check(plain, isoImage, ctx), NEEDS)
    assert.equal(IsolatedHostsFilter.check(iso, plainImage, ctx), ONLY)
    assert.equal(IsolatedHostsFilter.check(plain, plainImage, ctx), undefined)
    assert.equal(IsolatedHostsFilter.check(iso, volumeBacked, ctx), ONLY)
  })

  it('unrestricted: isolated hosts also take other images', () => {
    const ctx = fakeContext({
      isolatedHosts: ['iso'],
      isolatedImages: ['img-iso'],
      restrictIsolatedHostsToIsolatedImages: false,
    })
    assert.equal(IsolatedHostsFilter.check(iso, plainImage, ctx), undefined)
    assert.equal(IsolatedHostsFilter.check(plain, isoImage, ctx), NEEDS)
  })

  it('without isolated images, isolated hosts are closed when restricted and open otherwise', () => {
    const restricted = fakeContext({ isolatedHosts: ['iso'] })
    assert.equal(IsolatedHostsFilter.check(iso, plainImage, restricted), ONLY)
    assert.equal(IsolatedHostsFilter.check(plain, plainImage, restricted), undefined)
    const open = fakeContext({ isolatedHosts: ['iso'], restrictIsolatedHostsToIsolatedImages: false })
    assert.equal(IsolatedHostsFilter.check(iso, plainImage, open), undefined)
  })
})
