/**
 * A misspelt option given to an adapter or to createOrchestrator is refused at construction,
 * naming it (as the adapter's option, with the adapter's names) and never quoting its value,
 * before anything is sent. The client options an adapter sets itself (retry, clock, logger...)
 * are not the adapter's: given to it, they would be silently replaced. Every option the types
 * document is taken, and what the adapter hands its client passes the client's own check.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import {
  createMemoryJournal,
  createOrchestrator,
  type OrchestratorOptions,
  type ProviderAdapter,
} from '../src/index.js'
import { adyenAdapter, type AdyenAdapterOwnOptions } from '../src/adyen.js'
import {
  paymentsenseAdapter,
  paymentsenseWebSocketAdapter,
  type PaymentsenseAdapterOptions,
  type PaymentsenseWebSocketAdapterOptions,
} from '../src/paymentsense.js'
import { payrocAdapter, type PayrocAdapterOptions } from '../src/payroc.js'
import { smartconnectAdapter, type SmartConnectAdapterOptions } from '../src/smartconnect.js'
import { captureLogger, unknownName } from '../../core/test/helpers.js'
import { registerFor } from './smartconnect-harness.js'
import { KEY, PAYMENTSENSE, SECRET, network, type Network } from './unknown-harness.js'

/** Each adapter with its required options, and the names it must refuse. */
const ADAPTERS: Array<{
  name: string
  make: (net: Network, extra: object) => ProviderAdapter
  /** Misspellings, and the client options the adapter sets itself. */
  unknown: string[]
  /** One of the adapter's own option names, listed among the known ones. */
  own: string
}> = [
  {
    name: 'paymentsense',
    make: (net, extra) =>
      paymentsenseAdapter({ ...PAYMENTSENSE, fetch: net.fetch, ...extra } as never),
    unknown: ['cadence', 'apikey', 'retry', 'clock', 'logger', 'minIntervalMs'],
    own: 'tableCadenceMs',
  },
  {
    name: 'paymentsense WebSocket',
    make: (net, extra) =>
      paymentsenseWebSocketAdapter({
        ...PAYMENTSENSE,
        WebSocket: net.WebSocket,
        ...extra,
      } as never),
    unknown: ['cadence', 'apikey', 'integration', 'finalPosReceiptRequest', 'clock', 'logger'],
    own: 'cadenceMs',
  },
  {
    name: 'adyen',
    make: (net, extra) =>
      adyenAdapter({
        apiKey: KEY,
        environment: 'test',
        transport: 'device-api',
        merchantAccount: 'Shop',
        saleId: 'till-1',
        fetch: net.fetch,
        ...extra,
      } as never),
    unknown: ['saleID', 'apikey', 'retry', 'clock', 'logger'],
    own: 'store',
  },
  {
    name: 'payroc',
    make: (net, extra) =>
      payrocAdapter({
        apiKey: KEY,
        environment: 'test',
        processingTerminalId: '1234001',
        fetch: net.fetch,
        ...extra,
      } as never),
    unknown: ['processingTerminalID', 'apikey', 'retry', 'clock', 'logger'],
    own: 'devices',
  },
  {
    name: 'smartconnect',
    make: (net, extra) =>
      smartconnectAdapter({
        environment: 'dev',
        currency: 'NZD',
        terminals: [{ terminal: 'T1', register: registerFor('T1') }],
        fetch: net.fetch,
        ...extra,
      } as never),
    // `register` is each terminal's, not the account's.
    unknown: ['cadence', 'apiKey', 'register', 'retry', 'clock', 'logger'],
    own: 'tokenLifetimeMs',
  },
]

describe.each(ADAPTERS)('the $name adapter', ({ make, unknown, own }) => {
  it.each(unknown)('refuses %s, with its own names, sending nothing', (name) => {
    const net = network()
    const error = unknownName(() => make(net, { [name]: SECRET }), `options.${name}`, SECRET)
    expect(error.rule).toContain(own)
    expect(error.rule).not.toMatch(/\b(retry|logger|clock)\b/)
    expect(net.sent).toEqual([])
  })
})

describe('every option of an adapter type is taken, and its client takes what it is handed', () => {
  /** Attaching makes the client again, with the orchestrator's clock and logger. */
  const attached = async (adapter: ProviderAdapter) => {
    const orchestrator = createOrchestrator({
      accounts: { a: adapter },
      clock: createManualClock(),
    })
    await orchestrator.close()
  }

  it('paymentsense', async () => {
    const net = network()
    const every: Required<PaymentsenseAdapterOptions> = {
      ...PAYMENTSENSE,
      username: 'till-7',
      baseUrl: 'https://proxy.example',
      fetch: net.fetch,
      timeoutMs: 5_000,
      cadenceMs: 1_000,
      spacingMs: 100,
      retentionMs: 3_600_000,
      terminals: [{ tid: '22160001', currency: 'GBP' }],
      tableCadenceMs: 5_000,
    }
    await attached(paymentsenseAdapter(every))
    expect(net.sent).toEqual([])
  })

  it('paymentsense WebSocket', async () => {
    const net = network()
    const every: Required<PaymentsenseWebSocketAdapterOptions> = {
      ...PAYMENTSENSE,
      WebSocket: net.WebSocket,
      baseUrl: 'ws://127.0.0.1:8080',
      random: () => 0.5,
      requestTimeoutMs: 1_000,
      paymentTimeoutMs: 2_000,
      connectTimeoutMs: 3_000,
      maxMessageBytes: 4_096,
      reconnect: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
      liveness: { idleMs: 5_000, probe: true },
      cadenceMs: 1_000,
      spacingMs: 100,
      terminals: [{ tid: '22160001', currency: 'GBP' }],
    }
    await attached(paymentsenseWebSocketAdapter(every))
    expect(net.sent).toEqual([])
  })

  it('adyen', async () => {
    const net = network()
    const every: Required<AdyenAdapterOwnOptions<'device-api'>> & { merchantAccount: string } = {
      apiKey: KEY,
      environment: 'test',
      transport: 'device-api',
      merchantAccount: 'Shop',
      region: 'EU',
      baseUrl: 'https://proxy.example/v1',
      fetch: net.fetch,
      timeoutMs: 5_000,
      paymentTimeoutMs: 200_000,
      saleId: 'till-1',
      cadenceMs: 10_000,
      spacingMs: 0,
      retentionMs: 3_600_000,
      terminals: [{ poiId: 'P400Plus-100000001', currencies: ['EUR'] }],
      store: 'Store-1',
    }
    await attached(adyenAdapter(every))
    expect(net.sent).toEqual([])
  })

  it('payroc', async () => {
    const net = network()
    const every: Required<PayrocAdapterOptions> = {
      apiKey: KEY,
      environment: 'test',
      baseUrl: 'https://api.proxy.example/v1',
      identityUrl: 'https://identity.proxy.example',
      fetch: net.fetch,
      timeoutMs: 5_000,
      pollTimeoutMs: 90_000,
      processingTerminalId: '1234001',
      devices: [{ serialNumber: 'PAX-1', processingTerminalId: '1234002', currencies: ['USD'] }],
      currencies: ['USD'],
      cadenceMs: 1_000,
      spacingMs: 0,
      retentionMs: 3_600_000,
    }
    await attached(payrocAdapter(every))
    expect(net.sent).toEqual([])
  })

  it('smartconnect', async () => {
    const net = network()
    const every: Required<SmartConnectAdapterOptions> = {
      environment: 'dev',
      baseUrl: 'https://proxy.example/POS',
      fetch: net.fetch,
      timeoutMs: 5_000,
      terminals: [{ terminal: 'T1', register: registerFor('T1') }],
      currency: 'NZD',
      cadenceMs: 3_000,
      tokenLifetimeMs: 900_000,
    }
    await attached(smartconnectAdapter(every))
    expect(net.sent).toEqual([])
  })
})

describe('createOrchestrator', () => {
  const accounts = () => ({ a: paymentsenseAdapter({ ...PAYMENTSENSE, fetch: network().fetch }) })

  it('refuses an unknown name, in its options and in signature', () => {
    unknownName(
      () => createOrchestrator({ accounts: accounts(), journl: SECRET } as OrchestratorOptions),
      'options.journl',
      SECRET,
    )
    unknownName(
      () =>
        createOrchestrator({
          accounts: accounts(),
          signature: { answerWithin: SECRET },
        } as OrchestratorOptions),
      'options.signature.answerWithin',
      SECRET,
    )
  })

  it('takes every option of its type', async () => {
    const every: Required<OrchestratorOptions> = {
      accounts: accounts(),
      journal: createMemoryJournal(),
      clock: createManualClock(),
      logger: captureLogger().logger,
      signature: { answerWithinMs: 30_000, whenUnanswered: 'decline' },
      spacingMarginMs: 10,
      onDispatch: () => {},
    }
    await createOrchestrator(every).close()
  })
})
