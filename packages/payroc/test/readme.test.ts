import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../core/test/readme-examples.js'

const README = new URL('../README.md', import.meta.url)

describe('README examples', () => {
  it('type-check (the setup snippet is not run: it would call the real Payroc)', async () => {
    const examples = ['client-setup', 'client', 'fake-cloud'].map((name) =>
      readExample(README, name),
    )
    expect(await typecheckExamples(...examples)).toEqual([])
  })

  it('client: a sale (one held read), a partial approval, a lost answer replayed, cancels, devices, payment search', async () => {
    const logs = await runExample(readExample(README, 'client'))
    expect(logs.map((l) => l.text)).toEqual([
      'instruction: completed',
      'true 4999 A',
      'true 1501 1501',
      'network 3',
      'sale 4999 approved, sale 3002 partial, sale 1250 approved',
      'true',
      'false',
      '11 PAXA920-0001',
      '1250 true',
      'A-1001, A-1002, A-1003',
    ])
  })

  it('fake-cloud: a held read released by the device, one approved sale in the ledger', async () => {
    const logs = await runExample(readExample(README, 'fake-cloud'))
    expect(logs.map((l) => l.text)).toEqual(['completed', '1 sale approved'])
  })
})
