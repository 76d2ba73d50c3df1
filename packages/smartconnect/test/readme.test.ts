import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README examples', () => {
  it('type-check (the setup snippet is not run: it would call the real cloud)', async () => {
    const examples = ['client-setup', 'client', 'fake-cloud'].map((name) =>
      readExample(README, name),
    )
    expect(await typecheckExamples(...examples)).toEqual([])
  })

  it('the client example: a purchase followed live, a decline, a lost start left unknown', async () => {
    const logs = await runExample(readExample(README, 'client'))
    expect(logs.map((l) => l.text)).toEqual([
      'terminal: pending',
      'approved 1250 VISA 107919',
      'declined true',
      "network { AmountTotal: '2000' }",
      '1250 ACCEPTED, 305 DECLINED, 2000 ACCEPTED',
    ])
  })

  it('the fake cloud example: scenarios by cents, a pinned scenario, token expiry', async () => {
    const logs = await runExample(readExample(README, 'fake-cloud'))
    expect(logs).toHaveLength(5)
  })
})
