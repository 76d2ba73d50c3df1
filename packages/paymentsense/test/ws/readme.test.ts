import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../../core/test/readme-examples.js'

const README = new URL('../../README.md', import.meta.url)

describe('README, WebSocket section', () => {
  it('type-checks: the example, and the setup snippet (not run: it would call the real Connect)', async () => {
    const examples = [readExample(README, 'ws-setup'), readExample(README, 'ws')]
    expect(await typecheckExamples(...examples)).toEqual([])
  }, 60_000)

  it('the example runs a signed sale, then an unknown outcome resolved with duplicate, never re-sent', async () => {
    const logs = await runExample(readExample(README, 'ws'))
    const shown = logs.filter((l) => l.text.startsWith('terminal: ')).map((l) => l.text.slice(10))
    const firstEnd = shown.indexOf('TRANSACTION_FINISHED')
    // The first sale: every notification, the signature question answered along the way.
    expect(shown.slice(0, firstEnd)).toContain('SIGNATURE_VERIFICATION')
    // The second: cut just before PIN_ENTRY, which never arrives.
    expect(shown.slice(firstEnd + 1)).not.toContain('PIN_ENTRY')
    expect(logs.filter((l) => !l.text.startsWith('terminal: ')).map((l) => l.text)).toEqual([
      'wss://acme.test.connect.paymentsense.cloud/pac?token=[REDACTED]&api-version=v1&software-house-id=SWH&installer-id=INST',
      'SUCCESSFUL 1203 SIGNATURE',
      'disconnected 2500 INSERT_CARD',
      'SALE 2500 SUCCESSFUL',
      'sale 1203, sale 2500',
    ])
  })
})
