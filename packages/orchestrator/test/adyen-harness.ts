import { createManualClock, type ManualClock } from '@tillkit/core'
import { createFakeCloud, type FakeCloud, type FakeCloudOptions } from '@tillkit/adyen/mock'
import {
  createOrchestrator,
  type JournalStore,
  type Orchestrator,
  type OrchestratorOptions,
} from '../src/index.js'
import { adyenAdapter, type AdyenAdapter, type AdyenAdapterOptions } from '../src/adyen.js'
import { requestsFor, watchedFetch, type Seen as BaseSeen } from './harness.js'

export const POI = 'P400Plus-100000001'
export const POI_2 = 'V400m-100000002'
export const POI_BASE64 = 'S1F2-100000003'
export const ACCOUNT = 'adyen-shop'
export const KEY = 'test-api-key'
export const SALE_ID = 'till-1'

/** A request as the fake saw it, with the nexo header fields that tell requests apart. */
export interface Seen extends BaseSeen {
  /** `Payment`, `TransactionStatus`, `Abort`, `Reversal`, or undefined for a non-nexo request. */
  category?: string
  serviceId?: string
  /** For TransactionStatus and Abort: the ServiceID asked about. */
  about?: string
}

export interface AdyenSetup {
  clock: ManualClock
  cloud: FakeCloud
  seen: Seen[]
  orchestrator: Orchestrator
  adapter: AdyenAdapter
  /** Every adapter made so far: the fake's webhooks go to each (as to every POS process listening). */
  adapters: AdyenAdapter[]
  /** The requests of one nexo category. */
  sent(category: string): Seen[]
  /** A fresh adapter and orchestrator on the same cloud, clock and journal, as after a restart. */
  restart(journal: JournalStore, options?: Partial<OrchestratorOptions>): Orchestrator
}

/**
 * Answers a request instead of the fake when it returns a Response: for shapes the fake never
 * sends (a signature receipt, an UnreachableHost answer). `message` is the parsed nexo body.
 */
export type Intercept = (message: Record<string, any>) => Response | undefined

export function setupAdyen(
  options: {
    cloud?: FakeCloudOptions
    adapter?: Partial<AdyenAdapterOptions>
    orchestrator?: Partial<OrchestratorOptions>
    intercept?: Intercept
    /** Changes a JSON answer on its way back, after the fake did the work (and kept its ledger). */
    rewrite?: (body: Record<string, any>) => Record<string, any>
    /** Leave webhooks unconnected (an integration without display notifications). */
    noWebhooks?: boolean
  } = {},
): AdyenSetup {
  const clock = createManualClock()
  const cloud = createFakeCloud({ clock, ...options.cloud })
  const seen: Seen[] = []
  const fetch = watchedFetch(clock, seen, async (request, entry) => {
    let message: Record<string, any> | undefined
    if (request.method === 'POST') {
      try {
        message = (await request.clone().json()) as Record<string, any>
      } catch {
        message = undefined
      }
      const header = message?.SaleToPOIRequest?.MessageHeader
      if (header) {
        entry.category = header.MessageCategory
        entry.serviceId = header.ServiceID
        const body = message!.SaleToPOIRequest
        entry.about =
          body.TransactionStatusRequest?.MessageReference?.ServiceID ??
          body.AbortRequest?.MessageReference?.ServiceID
      }
    }
    const answer = message && options.intercept?.(message)
    if (answer) return answer
    const response = await cloud.fetch(request)
    if (!options.rewrite || !response.headers.get('content-type')?.includes('json')) return response
    const body = options.rewrite((await response.json()) as Record<string, any>)
    return Response.json(body, { status: response.status, headers: response.headers })
  })
  const adapters: AdyenAdapter[] = []
  if (!options.noWebhooks)
    cloud.notifications.register((body) => {
      for (const adapter of adapters) adapter.receive(body)
    })
  const make = (more: Partial<OrchestratorOptions> = {}) => {
    const adapter = adyenAdapter({
      apiKey: KEY,
      environment: 'test',
      transport: 'device-api',
      merchantAccount: 'TillkitShop',
      saleId: SALE_ID,
      fetch,
      ...options.adapter,
    })
    adapters.push(adapter)
    return createOrchestrator({
      accounts: { [ACCOUNT]: adapter },
      clock,
      ...options.orchestrator,
      ...more,
    })
  }
  const orchestrator = make()
  return {
    clock,
    cloud,
    seen,
    orchestrator,
    adapter: adapters[0]!,
    adapters,
    sent: (category) => seen.filter((r) => r.category === category),
    restart: (journal, more) => make({ journal, ...more }),
  }
}

export const pay = requestsFor(ACCOUNT, POI, 'EUR')

/** A JSON answer, as the cloud would send it. */
export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/** A PaymentResponse to `message` of our own making (for shapes the fake never sends), `body` over a bare frame. */
export function paymentAnswer(
  message: Record<string, any>,
  body: Record<string, unknown>,
): Response {
  const header = message.SaleToPOIRequest.MessageHeader
  return json({
    SaleToPOIResponse: {
      MessageHeader: { ...header, MessageType: 'Response' },
      PaymentResponse: {
        SaleData: {
          SaleTransactionID: message.SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID,
        },
        POIData: {
          POITransactionID: { TransactionID: 'TX1.881500', TimeStamp: '2025-01-01T00:00:00.000Z' },
        },
        ...body,
      },
    },
  })
}

/** Intercepts the first Payment with `body` (the rest go to the fake). */
export const firstPayment =
  (body: Record<string, unknown>): Intercept =>
  (message) =>
    message.SaleToPOIRequest.MessageHeader.MessageCategory === 'Payment'
      ? paymentAnswer(message, body)
      : undefined

/** A display notification of the kind the fake sends, for a payment's header fields. */
export function display(
  header: { saleId: string; serviceId: string; poiId?: string },
  event: string,
  deviceId: string,
  at = '2025-01-01T00:00:00.000Z',
): unknown {
  return {
    SaleToPOIRequest: {
      MessageHeader: {
        ProtocolVersion: '3.0',
        MessageClass: 'Device',
        MessageCategory: 'Display',
        MessageType: 'Request',
        ServiceID: header.serviceId,
        DeviceID: deviceId,
        SaleID: header.saleId,
        POIID: header.poiId ?? POI,
      },
      DisplayRequest: {
        DisplayOutput: [
          {
            Device: 'CashierDisplay',
            InfoQualify: 'Status',
            ResponseRequiredFlag: false,
            MinimumDisplayTime: 0,
            OutputContent: {
              OutputFormat: 'Text',
              OutputText: [{ Text: `event=${event}&TransactionID=T1&TimeStamp=${at}` }],
            },
          },
        ],
      },
    },
  }
}
