import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README: the SmartConnect adapter example', () => {
  it('type-checks', async () => {
    expect(await typecheckExamples(readExample(README, 'smartconnect-adapter'))).toEqual([])
  }, 60_000)

  it('runs: a sale whose cancel is refused, then a payment recovered after a crash', async () => {
    const logs = await runExample(readExample(README, 'smartconnect-adapter'))
    expect(logs.map((l) => l.text)).toEqual([
      'true',
      'started:PENDING authorised:OK-ACCEPTED finished:COMPLETED',
      'approved 1250 VISA',
      'true approved',
      'purchase 1250, purchase 2000',
    ])
  })
})
