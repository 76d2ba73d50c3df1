import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README: the Paymentsense WebSocket adapter example', () => {
  it('type-checks', async () => {
    expect(await typecheckExamples(readExample(README, 'paymentsense-ws-adapter'))).toEqual([])
  }, 60_000)

  it('runs: a signature, a cancel, a dropped connection, a crash recovered as unknown', async () => {
    const logs = await runExample(readExample(README, 'paymentsense-ws-adapter'))
    expect(logs.map((l) => l.text)).toEqual([
      'started presentCard processing processing processing processing signatureRequired signatureDone authorised removeCard finished',
      'signature',
      'true cancelled',
      'unknown INSERT_CARD',
      'sale 1203, sale 2500',
      'true unknown',
    ])
  })
})
