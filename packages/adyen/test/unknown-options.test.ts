/**
 * A misspelt option (`timeout` for `timeoutMs`) is refused when the client or a nexo builder is
 * made, naming it and never quoting its value, before anything is sent; every option the types
 * document is taken.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createAdyenClient,
  createNexo,
  type AdyenClientCommonOptions,
  type AdyenClientOptions,
  type NexoOptions,
} from '../src/index.js'
import { captureLogger, unknownName } from '../../core/test/helpers.js'

/** What a misspelt `apiKey` would hold: it must appear in no error. */
const SECRET = `AQE_live_${crypto.randomUUID()}`

/** A fetch that records every request. */
function recorder() {
  const sent: Request[] = []
  const fetch = async (request: Request) => (sent.push(request), new Response('ok'))
  return { sent, fetch }
}

const REQUIRED = {
  apiKey: 'test-api-key',
  environment: 'test',
  transport: 'device-api',
  merchantAccount: 'TillkitShop',
} as const

describe('createAdyenClient', () => {
  it.each(['timeout', 'apikey', 'merchantAcount', 'secrets', 'isIdempotent'])(
    'refuses the unknown name %s, sending nothing',
    (name) => {
      const { sent, fetch } = recorder()
      const options = { ...REQUIRED, fetch, [name]: SECRET } as AdyenClientOptions
      const error = unknownName(() => createAdyenClient(options), `options.${name}`, SECRET)
      expect(error.rule).toContain('paymentTimeoutMs')
      expect(sent).toHaveLength(0)
    },
  )

  it('takes every option of its type', () => {
    const every: Required<AdyenClientCommonOptions<'device-api'>> & { merchantAccount: string } = {
      ...REQUIRED,
      region: 'US',
      baseUrl: 'http://127.0.0.1:9/v1',
      fetch: recorder().fetch,
      logger: captureLogger().logger,
      clock: createManualClock(),
      timeoutMs: 5_000,
      paymentTimeoutMs: 200_000,
      retry: { maxAttempts: 2 },
    }
    expect(createAdyenClient(every).baseUrl).toBe('http://127.0.0.1:9/v1')
  })
})

describe('createNexo', () => {
  it('refuses an unknown name', () => {
    unknownName(
      () => createNexo({ saleId: 'till-1', saleID: SECRET } as NexoOptions),
      'options.saleID',
      SECRET,
    )
  })

  it('takes every option of its type, and so does the client through nexo()', () => {
    const every: Required<NexoOptions> = {
      saleId: 'till-1',
      clock: createManualClock(),
      random: () => 0.5,
    }
    expect(createNexo(every).saleId).toBe('till-1')
    const { clock: _, ...rest } = every
    expect(createAdyenClient(REQUIRED).nexo(rest).saleId).toBe('till-1')
  })
})
