import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README example', () => {
  const example = readExample(README, 'simulator')

  it('type-checks against the public API', async () => {
    expect(await typecheckExamples(example)).toEqual([])
  })

  it('serves the fake cloud on loopback: a sale, then a lost response seen as a connection reset', async () => {
    const logs = await runExample(example)
    expect(logs.map((l) => l.text)).toEqual([
      'SUCCESSFUL 1250',
      'TillkitNetworkError true',
      'POST <server>/pac/terminals/22160001/transactions failed (ECONNRESET)',
      '2',
    ])
  })
})
