import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README: the Adyen adapter example', () => {
  it('type-checks', async () => {
    expect(await typecheckExamples(readExample(README, 'adyen-adapter'))).toEqual([])
  }, 60_000)

  it('runs: a sale with its events, a referenced refund, an abort, a payment recovered after a crash', async () => {
    const logs = await runExample(readExample(README, 'adyen-adapter'))
    expect(logs.map((l) => l.text)).toEqual([
      'started processing pinEntry processing processing finished',
      'approved 1250 chip',
      'approved',
      'true aborted',
      'true approved',
      'sale 1250, reversal 250, sale 3013',
    ])
  })
})
