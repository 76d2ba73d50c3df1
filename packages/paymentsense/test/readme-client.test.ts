import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README, client section', () => {
  it('type-checks: the example, and the setup snippets (not run: they would call the real Connect)', async () => {
    const examples = [readExample(README, 'client-setup'), readExample(README, 'client')]
    expect(await typecheckExamples(...examples)).toEqual([])
  })

  it('the example runs a signed sale, then recovers a lost POST response without re-sending it', async () => {
    const logs = await runExample(readExample(README, 'client'))
    const shown = logs.filter((l) => l.text.startsWith('terminal: ')).map((l) => l.text.slice(10))
    // Every notification once, in order, the signature request answered along the way.
    expect(shown[0]).toBe('TRANSACTION_STARTED')
    expect(shown.at(-1)).toBe('TRANSACTION_FINISHED')
    expect(new Set(shown).size).toBe(shown.length)
    const signature = shown.indexOf('SIGNATURE_VERIFICATION')
    expect(signature).toBeGreaterThan(0)
    expect(shown.indexOf('SIGNATURE_VERIFICATION_PROCESS_COMPLETED')).toBeGreaterThan(signature)
    // Then the recovery: the terminal was busy, the duplicate found the sale, the ledger shows each sale once.
    expect(logs.filter((l) => !l.text.startsWith('terminal: ')).map((l) => l.text)).toEqual([
      'SUCCESSFUL 1203 SIGNATURE',
      'BUSY',
      'SALE 2500 SUCCESSFUL',
      'sale 1203 SUCCESSFUL, sale 2500 SUCCESSFUL',
    ])
  })
})
