import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README', () => {
  it('type-checks every example (the setup is not run: it would call the real Adyen)', async () => {
    const examples = ['client-setup', 'example', 'mock'].map((name) => readExample(README, name))
    expect(await typecheckExamples(...examples)).toEqual([])
  })

  it('the example runs: a sale with live display events, a lost answer recovered, a partial refund', async () => {
    const logs = await runExample(readExample(README, 'example'))
    const terminal = logs
      .filter((l) => l.text.startsWith('terminal: '))
      .map((l) => l.text.slice(10))
    // Both sales showed their progress, in order.
    const sale = ['TENDER_CREATED', 'CARD_INSERTED', 'WAIT_FOR_PIN', 'PIN_ENTERED', 'PRINT_RECEIPT']
    expect(terminal).toEqual([...sale, ...sale])
    expect(logs.filter((l) => !l.text.startsWith('terminal: ')).map((l) => l.text)).toEqual([
      'approved 1250 EUR',
      'connection lost -> approved',
      'reversed 250',
      'sale 1250, sale 800, reversal 250',
    ])
  })

  it('runs the mock setup', async () => {
    await runExample(readExample(README, 'mock'))
  })
})
