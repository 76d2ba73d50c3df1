import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README example', () => {
  it('type-checks', async () => {
    expect(await typecheckExamples(readExample(README, 'orchestrator'))).toEqual([])
  })

  it('runs: a signed sale, then a payment recovered after its orchestrator was dropped', async () => {
    const logs = await runExample(readExample(README, 'orchestrator'))
    expect(logs.map((l) => l.text)).toEqual([
      expect.stringMatching(/^started .* signatureRequired .* finished$/),
      'approved 1203 signature',
      'true approved',
      'sale 1203, sale 2509',
    ])
  })
})
