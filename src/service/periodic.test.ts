import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { currentContext } from '../common/context.js'
import { silentLogger } from '../common/logger.js'
import { PeriodicRunner } from './periodic.js'

describe('PeriodicRunner', () => {
  it('runs a task repeatedly under a context, survives a failing run, and never overlaps itself', async () => {
    let runs = 0
    let concurrent = 0
    let maxConcurrent = 0
    const requestIds = new Set<string>()
    const runner = new PeriodicRunner(
      [
        {
          name: 'tick',
          spacingS: 0.005,
          runImmediately: true,
          run: async () => {
            concurrent++
            maxConcurrent = Math.max(maxConcurrent, concurrent)
            requestIds.add(currentContext()?.requestId ?? 'none')
            runs++
            await sleep(5)
            concurrent--
            if (runs === 2) throw new Error('one bad run')
          },
        },
      ],
      silentLogger(),
    )
    runner.start()
    while (runs < 5) await sleep(5)
    await runner.stop()
    const after = runs
    await sleep(30)
    assert.equal(runs, after, 'no run after stop')
    assert.equal(maxConcurrent, 1)
    assert.ok(!requestIds.has('none'))
    assert.ok(requestIds.size >= 5, 'each run has its own request id')
  })
})
