import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { typecheckExamples, type Example } from '../../core/test/readme-examples.js'

/**
 * Regression: `AdyenClientOptions<T>` was `Common<T> & (T extends 'device-api' ? { merchantAccount: string } :
 * { merchantAccount?: string })`. The conditional distributes over T's default (and over any T
 * that is not a single literal), giving `{ merchantAccount: string } | { merchantAccount?: string }`,
 * which requires nothing. So `merchantAccount` is required only when `transport` is written as the
 * literal 'device-api': the exported `AdyenClientOptions` type, or a transport read from config as
 * `AdyenTransport`, lets a device-api client without its merchant account compile (it then fails
 * at run time). The same holds for the orchestrator's `AdyenAdapterOptions`.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url))

const snippet = (code: string): Example => ({
  readme: 'merchant-account-types',
  packageDir,
  names: ['options'],
  code,
  lines: code.split('\n').map((_, i) => i + 1),
})

describe('merchantAccount with device-api, in the types', () => {
  it('is required by the exported AdyenClientOptions type', async () => {
    const errors = await typecheckExamples(
      snippet(`import type { AdyenClientOptions } from '@tillkit/adyen'
export const options: AdyenClientOptions = { apiKey: 'k', environment: 'test', transport: 'device-api' }
`),
    )
    expect(errors.length).toBeGreaterThan(0)
  })

  it('is required when the transport is typed AdyenTransport and is device-api', async () => {
    const errors = await typecheckExamples(
      snippet(`import { createAdyenClient, type AdyenTransport } from '@tillkit/adyen'
const transport: AdyenTransport = process.env.ADYEN_TRANSPORT === 'legacy' ? 'legacy' : 'device-api'
export const client = createAdyenClient({ apiKey: 'k', environment: 'test', transport })
`),
    )
    expect(errors.length).toBeGreaterThan(0)
  })

  it('control: the literal device-api without it does not compile', async () => {
    const errors = await typecheckExamples(
      snippet(`import { createAdyenClient } from '@tillkit/adyen'
export const client = createAdyenClient({ apiKey: 'k', environment: 'test', transport: 'device-api' })
`),
    )
    expect(errors.length).toBeGreaterThan(0)
  })
})
