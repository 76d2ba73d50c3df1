/**
 * Each provider's values mapped into the shared event vocabulary and outcome (README:
 * Events, Outcomes and each adapter's tables), table-driven over the provider's values, including
 * values the fakes never produce (injected by rewriting the provider's answers on the way back).
 */
import { createManualClock } from '@tillkit/core'
import { createFakeCloud as createPaymentsenseCloud } from '@tillkit/paymentsense/mock'
import { describe, expect, it } from 'vitest'
import {
  createOrchestrator,
  type Payment,
  type PaymentEvent,
  type PaymentEventType,
} from '../src/index.js'
import { paymentsenseWebSocketAdapter } from '../src/paymentsense.js'
import { display, firstPayment, pay, POI, setupAdyen } from './adyen-harness.js'
import { collect, drive, flush, pass, sale, setup } from './harness.js'
import { payment as payrocPayment, payrocSetup } from './payroc-harness.js'
import { sale as scSale, setup as scSetup } from './smartconnect-harness.js'

// ---------------------------------------------------------------------------------------------
// Paymentsense: notification values (REST and WebSocket) and transactionResult values
// ---------------------------------------------------------------------------------------------

/** Every value of the v2 `notifications` enum but the two that drive the flow, with its README type. */
const PS_EVENTS: Array<[string, PaymentEventType]> = [
  ['INSERT_CARD', 'presentCard'],
  ['PRESENT_CARD', 'presentCard'],
  ['PIN_ENTRY', 'pinEntry'],
  ['PLEASE_WAIT', 'processing'],
  ['CONNECTING', 'processing'],
  ['CONNECTION_MADE', 'processing'],
  ['REQUEST_SENT', 'processing'],
  ['SIGNATURE_VERIFICATION_IN_PROGRESS', 'processing'],
  ['APPROVED', 'authorised'],
  ['DECLINED', 'declined'],
  ['DECLINED_BY_CARD', 'declined'],
  ['SIGNATURE_VERIFICATION_PROCESS_COMPLETED', 'signatureDone'],
  ['SIGNATURE_VERIFICATION_PROCESS_COULD_NOT_BE_COMPLETED', 'signatureDone'],
  ['SIGNATURE_VERIFICATION_TIMEOUT', 'signatureDone'],
  ['REMOVE_CARD', 'removeCard'],
  ['BAD_SWIPE', 'cardProblem'],
  ['CARD_ERROR', 'cardProblem'],
  ['CARD_EXPIRED', 'cardProblem'],
  ['CARD_NOT_SUPPORTED', 'cardProblem'],
  ['PRESENT_ONLY_ONE_CARD', 'cardProblem'],
  ['RE_PRESENT_CARD', 'cardProblem'],
  ['RETRYING', 'retrying'],
  ['ATTEMPTING_CANCEL', 'cancelling'],
  ['CANCELLING', 'cancelling'],
  ['UNABLE_TO_CANCEL', 'cancelRefused'],
  ['PROCESSING_ERROR', 'other'],
  // Changelog values outside the v2 enum, and one no document knows: passed through as `other`.
  ['REPLACE_PAPER', 'other'],
  ['ENTER_CASHBACK', 'other'],
  ['SOME_VALUE_ADDED_LATER', 'other'],
  // Names of Object.prototype members must find nothing in the table.
  ['constructor', 'other'],
  ['toString', 'other'],
]

/** Paymentsense `transactionResult` values and the README's outcome for each. */
const PS_RESULTS: Array<[string | undefined, string, string | undefined]> = [
  ['SUCCESSFUL', 'approved', undefined],
  ['DECLINED', 'declined', 'declined'],
  ['VOID', 'declined', 'voided'],
  ['CANCELLED', 'cancelled', 'cancelled'],
  ['TIMED_OUT', 'cancelled', 'timed-out'],
  ['UNSUCCESSFUL', 'failed', 'unsuccessful'],
  // Unknown or missing: nobody can say whether money moved.
  ['PARTIALLY_SUCCESSFUL', 'unknown', 'unreadable'],
  ['successful', 'unknown', 'unreadable'],
  [undefined, 'unknown', 'unreadable'],
]

type Json = Record<string, any>

/** A wire that rewrites Connect REST's GET transaction answers. */
function restRewrite(change: (body: Json) => Json) {
  return async (request: Request, next: (r: Request) => Promise<Response>) => {
    const response = await next(request)
    if (request.method !== 'GET' || !/\/transactions\/[^/]+$/.test(new URL(request.url).pathname))
      return response
    if (response.status !== 200) return response
    const body = change((await response.json()) as Json)
    return new Response(JSON.stringify(body), { status: 200, headers: response.headers })
  }
}

const typesAndRaws = (list: readonly PaymentEvent[]) => list.map((e) => [e.type, e.raw])

describe('Paymentsense REST: every notification value as the README maps it', () => {
  it('each value (enum, changelog, unknown) is one event, in order, with its exact raw value', async () => {
    const injected = PS_EVENTS.map(([value]) => value)
    const { clock, orchestrator } = setup({
      wire: restRewrite((body) => {
        const list = body.notifications as string[]
        // Right after TRANSACTION_STARTED on every poll: positions in the cumulative list stay put.
        if (list.length >= 1) body.notifications = [list[0], ...injected, ...list.slice(1)]
        return body
      }),
    })
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    const list = await events.done
    expect(list[0]).toMatchObject({ type: 'started', raw: 'TRANSACTION_STARTED' })
    expect(typesAndRaws(list.slice(1, 1 + injected.length))).toEqual(
      PS_EVENTS.map(([value, type]) => [type, value]),
    )
    expect(list.at(-1)).toMatchObject({ type: 'finished', raw: 'TRANSACTION_FINISHED' })
    expect(list.map((e) => e.seq)).toEqual(list.map((_, i) => i + 1))
  })

  it.each(PS_RESULTS)(
    'transactionResult %s settles %s (%s)',
    async (result, status, reasonCode) => {
      const { clock, orchestrator } = setup({
        wire: restRewrite((body) => {
          if (!(body.notifications as string[]).includes('TRANSACTION_FINISHED')) return body
          if (result === undefined) delete body.transactionResult
          else body.transactionResult = result
          return body
        }),
      })
      const payment = await orchestrator.sale(sale(1250))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      expect(outcome.reasonCode).toBe(reasonCode)
      expect((outcome.raw as Json).transactionResult).toBe(result)
    },
  )

  // The fake's scenarios (last two digits): 04 declined, 03 voided after a declined signature,
  // 06 timed out, 07 cancelled, 08 unsuccessful. Connect echoes the amounts on every result.
  it.each([
    [1204, 'declined'],
    [1203, 'declined'],
    [1206, 'cancelled'],
    [1207, 'cancelled'],
    [1208, 'failed'],
  ])(
    'amount %i (%s): an outcome that took no money claims no approved amount',
    async (amount, status) => {
      const { clock, orchestrator } = setup()
      const payment = await orchestrator.sale(sale(amount))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      // Connect's amountBase is what was asked for, not what the acquirer approved.
      expect(outcome.amounts.approved ?? 0).toBe(0)
    },
  )

  it('outcome fields come from the result when given and are never made up when absent', async () => {
    const methods: Array<[string, string | undefined, string, string | undefined]> = [
      ['ICC_CHIP', 'chip', 'PIN', 'pin'],
      ['CONTACTLESS', 'contactless', 'DEVICE', 'device'],
      ['SWIPED', 'swiped', 'SIGNATURE', 'signature'],
      ['KEYED', 'keyed', 'NONE', 'none'],
      ['UNKNOWN', undefined, 'UNKNOWN', undefined],
    ]
    for (const [paymentMethod, entry, cvm, verification] of methods) {
      const { clock, orchestrator } = setup({
        wire: restRewrite((body) => {
          if (!(body.notifications as string[]).includes('TRANSACTION_FINISHED')) return body
          return { ...body, paymentMethod, cardHolderVerificationMethod: cvm }
        }),
      })
      const payment = await orchestrator.sale(sale(1250))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.entryMethod).toBe(entry)
      expect(outcome.verification).toBe(verification)
    }
    // A finished transaction with nothing but its result.
    const { clock, orchestrator } = setup({
      wire: restRewrite((body) => {
        if (!(body.notifications as string[]).includes('TRANSACTION_FINISHED')) return body
        return {
          location: body.location,
          notifications: body.notifications,
          transactionResult: 'SUCCESSFUL',
        }
      }),
    })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    expect(outcome.amounts).toEqual({ requested: 1250 })
    for (const field of [
      'authCode',
      'maskedPan',
      'cardScheme',
      'entryMethod',
      'verification',
      'receipt',
    ] as const)
      expect(outcome[field]).toBeUndefined()
  })
})

/** A Paymentsense WebSocket orchestrator whose socket adds and rewrites frames from the fake. */
function wsSetup(change: {
  /** Values pushed right after the terminal's TRANSACTION_STARTED. */
  inject?: readonly string[]
  /** Rewrites the payment method's answer (its `result`). */
  result?: (result: Json) => Json
}) {
  const clock = createManualClock()
  const cloud = createPaymentsenseCloud({ clock, apiKeys: ['ws-vocabulary-key'] })
  const Base = cloud.WebSocket
  class Rewriting extends Base {
    override addEventListener(type: string, listener: (event: any) => void): void {
      if (type !== 'message') return super.addEventListener(type, listener)
      super.addEventListener(type, (event) => {
        const frame = JSON.parse(String((event as MessageEvent).data)) as Json
        if (
          frame.result &&
          typeof frame.result === 'object' &&
          'transactionResult' in frame.result
        ) {
          if (change.result) frame.result = change.result(frame.result)
          return listener(new MessageEvent('message', { data: JSON.stringify(frame) }))
        }
        listener(event)
        if (
          frame.method === 'terminalNotification' &&
          frame.params?.notificationValue === 'TRANSACTION_STARTED'
        )
          for (const value of change.inject ?? [])
            listener(
              new MessageEvent('message', {
                data: JSON.stringify({
                  jsonrpc: '2.0',
                  method: 'terminalNotification',
                  params: { tid: frame.params.tid, notificationValue: value },
                }),
              }),
            )
      })
    }
  }
  const orchestrator = createOrchestrator({
    accounts: {
      shop: paymentsenseWebSocketAdapter({
        account: 'acme',
        environment: 'test',
        apiKey: 'ws-vocabulary-key',
        softwareHouseId: 'SWH',
        installerId: 'INST',
        WebSocket: Rewriting,
        random: () => 0.5,
      }),
    },
    clock,
  })
  return { clock, cloud, orchestrator }
}

describe('Paymentsense WebSocket: every notification value and result as the README maps it', () => {
  it('each pushed value (enum, changelog, unknown) is one event with its exact raw value', async () => {
    const injected = PS_EVENTS.map(([value]) => value)
    const { clock, orchestrator } = wsSetup({ inject: injected })
    const payment = await orchestrator.sale(sale(1250))
    const events = collect(payment)
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('approved')
    const list = await events.done
    expect(list[0]).toMatchObject({ type: 'started', raw: 'TRANSACTION_STARTED' })
    expect(typesAndRaws(list.slice(1, 1 + injected.length))).toEqual(
      PS_EVENTS.map(([value, type]) => [type, value]),
    )
    expect(list.at(-1)).toMatchObject({ type: 'finished', raw: 'TRANSACTION_FINISHED' })
  })

  it.each(PS_RESULTS)(
    'a payment answered with transactionResult %s settles %s (%s)',
    async (result, status, reasonCode) => {
      const { clock, orchestrator } = wsSetup({
        result: (r) => {
          const copy = { ...r }
          if (result === undefined) delete copy.transactionResult
          else copy.transactionResult = result
          return copy
        },
      })
      const payment = await orchestrator.sale(sale(1250))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      // An answer the client's schema refuses is read as a lost answer (`lost-start`, after the
      // terminal is free again): still `unknown`, which is what matters; never approved.
      if (status === 'unknown') expect(['unreadable', 'lost-start']).toContain(outcome.reasonCode)
      else expect(outcome.reasonCode).toBe(reasonCode)
    },
  )

  it.each([
    [1204, 'declined'],
    [1206, 'cancelled'],
    [1208, 'failed'],
  ])(
    'amount %i (%s) over the WebSocket: no approved amount on an outcome that took nothing',
    async (amount, status) => {
      const { clock, orchestrator } = wsSetup({})
      const payment = await orchestrator.sale(sale(amount))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      expect(outcome.amounts.approved ?? 0).toBe(0)
    },
  )

  it('the WebSocket verification method (spelled cardholder…) is read like REST, never guessed', async () => {
    for (const [cvm, verification] of [
      ['PIN', 'pin'],
      ['SIGNATURE', 'signature'],
      ['DEVICE', 'device'],
      ['NONE', 'none'],
      ['UNKNOWN', undefined],
    ] as const) {
      const { clock, orchestrator } = wsSetup({
        result: (r) => ({ ...r, cardholderVerificationMethod: cvm }),
      })
      const payment = await orchestrator.sale(sale(1250))
      expect((await drive(clock, payment.outcome)).verification).toBe(verification)
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Adyen: display events, event notifications, Result / ErrorCondition, card fields
// ---------------------------------------------------------------------------------------------

/** An approval with the card fields `card` and the authentication `methods`. */
const approval = (card: Json, methods?: string[]): Json => ({
  Response: { Result: 'Success', AdditionalResponse: 'authCode=123456&pspReference=PSP1' },
  PaymentResult: {
    AmountsResp: { Currency: 'EUR', AuthorizedAmount: 12.5 },
    PaymentInstrumentData: { CardData: card },
    ...(methods && { AuthenticationMethod: methods }),
  },
})

/** Every nexo ErrorCondition with Result Failure, and the README's outcome for it. */
const ADYEN_CONDITIONS: Array<[string, string, string]> = [
  ['Aborted', 'cancelled', 'aborted'],
  ['Busy', 'failed', 'terminal-busy'],
  ['Cancel', 'cancelled', 'cancelled'],
  ['DeviceOut', 'failed', 'terminal-unreachable'],
  ['InProgress', 'failed', 'in-progress'],
  ['InsertedCard', 'failed', 'inserted-card'],
  ['InvalidCard', 'declined', 'invalid-card'],
  ['LoggedOut', 'failed', 'logged-out'],
  ['MessageFormat', 'failed', 'message-format'],
  ['NotAllowed', 'failed', 'not-allowed'],
  ['NotFound', 'failed', 'not-found'],
  ['PaymentRestriction', 'failed', 'payment-restriction'],
  ['Refusal', 'declined', 'refused'],
  ['UnavailableDevice', 'failed', 'terminal-unreachable'],
  ['UnavailableService', 'failed', 'unavailable-service'],
  ['UnreachableHost', 'failed', 'terminal-unreachable'],
  ['WrongPIN', 'declined', 'wrong-pin'],
]

describe('Adyen: every ErrorCondition, Result, display event and event notification', () => {
  it.each(ADYEN_CONDITIONS)(
    'Failure with ErrorCondition %s settles %s (%s), the answer as the finished event',
    async (condition, status, reasonCode) => {
      const { clock, cloud, orchestrator } = setupAdyen({
        intercept: firstPayment({
          Response: { Result: 'Failure', ErrorCondition: condition },
          PaymentResult: {
            PaymentInstrumentData: {
              CardData: { MaskedPan: '541333******9999', PaymentBrand: 'mc' },
            },
          },
        }),
      })
      const payment = await orchestrator.sale(pay(1250))
      const events = collect(payment)
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      expect(outcome.reasonCode).toBe(reasonCode)
      // What the answer says of the card is kept; no approved amount on an answer that took nothing.
      expect(outcome).toMatchObject({ maskedPan: '541333******9999', cardScheme: 'mc' })
      expect(outcome.amounts.approved ?? 0).toBe(0)
      expect(outcome.authCode).toBeUndefined()
      expect((await events.done).at(-1)).toMatchObject({
        type: 'finished',
        raw: { Result: 'Failure', ErrorCondition: condition },
      })
      expect(cloud.ledger).toHaveLength(0)
    },
  )

  it('a Failure with a condition no document names fails (in kebab case), never approved', async () => {
    const { clock, orchestrator } = setupAdyen({
      intercept: firstPayment({ Response: { Result: 'Failure', ErrorCondition: 'BrandNewThing' } }),
    })
    const payment = await orchestrator.sale(pay(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'failed',
      reasonCode: 'brand-new-thing',
    })
  })

  it('a Failure whose text says "Communication timeout" (Adyen cancelled at 150 s) is cancelled, timed-out', async () => {
    const { clock, orchestrator } = setupAdyen({
      intercept: firstPayment({
        Response: { Result: 'Failure', AdditionalResponse: 'message=Communication+timeout' },
      }),
    })
    const payment = await orchestrator.sale(pay(1250))
    expect(await drive(clock, payment.outcome)).toMatchObject({
      status: 'cancelled',
      reasonCode: 'timed-out',
    })
  })

  it('a Result value outside Success, Partial and Failure is never taken for an approval', async () => {
    const { clock, orchestrator } = setupAdyen({
      intercept: firstPayment({
        ...approval({ MaskedPan: '1111', PaymentBrand: 'visa', EntryMode: ['ICC'] }),
        Response: { Result: 'Pending' },
      }),
    })
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome, 120_000)
    expect(outcome.status).not.toBe('approved')
  })

  it.each([
    ['ICC', 'chip'],
    ['SynchronousICC', 'chip'],
    ['Contactless', 'contactless'],
    ['Tapped', 'contactless'],
    ['RFID', 'contactless'],
    ['MagStripe', 'swiped'],
    ['Keyed', 'keyed'],
    ['Manual', 'keyed'],
  ])('EntryMode %s is entryMethod %s', async (mode, entry) => {
    const { clock, orchestrator } = setupAdyen({
      intercept: firstPayment(
        approval({ EntryMode: [mode], MaskedPan: '1111', PaymentBrand: 'visa' }),
      ),
    })
    const payment = await orchestrator.sale(pay(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome).toMatchObject({
      status: 'approved',
      entryMethod: entry,
      maskedPan: '1111',
      cardScheme: 'visa',
      authCode: '123456',
    })
  })

  it.each(['File', 'Mobile', 'Scanned'])(
    'EntryMode %s gives an entryMethod of the shared vocabulary or none, never a made-up word',
    async (mode) => {
      const { clock, orchestrator } = setupAdyen({
        intercept: firstPayment(approval({ EntryMode: [mode], MaskedPan: '1111' })),
      })
      const payment = await orchestrator.sale(pay(1250))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe('approved')
      expect([undefined, 'chip', 'contactless', 'swiped', 'keyed']).toContain(outcome.entryMethod)
    },
  )

  // nexo's AuthenticationMethod values. README: `pin`, `signature`; left out when Adyen does not say.
  it.each([
    ['OfflinePIN', 'pin'],
    ['OnlinePIN', 'pin'],
    ['PaperSignature', 'signature'],
    ['SignatureCapture', 'signature'],
    ['Bypass', 'none'],
    ['UnknownMethod', undefined],
    ['SecuredChannel', undefined],
  ])('AuthenticationMethod %s is verification %s', async (method, verification) => {
    const { clock, orchestrator } = setupAdyen({
      intercept: firstPayment(approval({ EntryMode: ['ICC'], MaskedPan: '1111' }, [method])),
    })
    const payment = await orchestrator.sale(pay(1250))
    expect((await drive(clock, payment.outcome)).verification).toBe(verification)
  })

  it.each([
    'UnknownMethod',
    'Bypass',
    'ManualVerification',
    'MerchantAuthentication',
    'SecureCertificate',
    'SecureNoCertificate',
    'SecuredChannel',
  ])(
    'AuthenticationMethod %s gives a verification of the shared vocabulary or none',
    async (method) => {
      const { clock, orchestrator } = setupAdyen({
        intercept: firstPayment(approval({ EntryMode: ['ICC'], MaskedPan: '1111' }, [method])),
      })
      const payment = await orchestrator.sale(pay(1250))
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe('approved')
      expect([undefined, 'pin', 'signature', 'device', 'none']).toContain(outcome.verification)
      // "UnknownMethod" is Adyen not saying: left out.
      if (method === 'UnknownMethod') expect(outcome.verification).toBeUndefined()
    },
  )

  it('every display event of the README table, and unknown ones, map with the event name as raw', async () => {
    const table: Array<[string, PaymentEventType]> = [
      ['TENDER_CREATED', 'started'],
      ['CARD_INSERTED', 'processing'],
      ['CARD_PRESENTED', 'processing'],
      ['CARD_SWIPED', 'processing'],
      ['APPLICATION_SELECTED', 'processing'],
      ['WAIT_FOR_PIN', 'pinEntry'],
      ['PIN_ENTERED', 'processing'],
      ['PRINT_RECEIPT', 'processing'],
      ['ASK_SIGNATURE', 'signatureOnTerminal'],
      ['CHECK_SIGNATURE', 'signatureOnTerminal'],
      ['SIGNATURE_CHECKED', 'signatureDone'],
      ['CARD_REMOVED', 'other'],
      ['SOMETHING_NEW', 'other'],
      ['constructor', 'other'],
    ]
    const { clock, orchestrator, adapter } = setupAdyen({ noWebhooks: true })
    const payment = await orchestrator.sale(pay(1213))
    const events = collect(payment)
    await pass(clock, 100)
    const ref = { saleId: payment.ids.saleId!, serviceId: payment.ids.serviceId! }
    for (const [i, [event]] of table.entries())
      expect(adapter.receive(display(ref, event, `d${i}`))).toBe(true)
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const list = await events.done
    expect(typesAndRaws(list.slice(0, -1))).toEqual(table.map(([event, type]) => [type, event]))
  })

  it('every EventToNotify value about the payment is an event with its name as raw, unknown ones too', async () => {
    const values = [
      'Abort',
      'BeginMaintenance',
      'CardInserted',
      'CardRemoved',
      'Completed',
      'CustomerLanguage',
      'EndMaintenance',
      'Initialised',
      'KeyPressed',
      'OutOfOrder',
      'SaleAdmin',
      'SaleWakeUp',
      'ScanBarcodeResult',
      'SecurityAlarm',
      'Shutdown',
      'StopAssistance',
      'UseAnotherCardForPreauth',
      'SomethingAddedLater',
    ]
    const { clock, orchestrator, adapter } = setupAdyen({ noWebhooks: true })
    const payment = await orchestrator.sale(pay(1213))
    const events = collect(payment)
    await pass(clock, 100)
    const accepted = values.map((value, i) =>
      adapter.receive({
        SaleToPOIRequest: {
          MessageHeader: {
            ProtocolVersion: '3.0',
            MessageClass: 'Event',
            MessageCategory: 'Event',
            MessageType: 'Notification',
            ServiceID: payment.ids.serviceId,
            SaleID: payment.ids.saleId,
            POIID: POI,
          },
          EventNotification: {
            TimeStamp: `2025-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
            EventToNotify: value,
            EventDetails: 'message=x',
          },
        },
      }),
    )
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    const list = await events.done
    expect(typesAndRaws(list.slice(0, -1))).toEqual(
      values.map((value) => [value === 'CardInserted' ? 'processing' : 'other', value]),
    )
    expect(accepted.every(Boolean)).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------
// Payroc: instruction statuses, transactionResult status x responseCode, card fields
// ---------------------------------------------------------------------------------------------

/** Answers each read of a payment (`/v1/payments/{id}`) after `change` has rewritten it. */
function payrocResult(change: (body: Json) => Json) {
  const s = payrocSetup()
  s.route(async (request, pass) => {
    const response = await pass(request)
    if (!/\/v1\/payments\/[^/]+$/.test(new URL(request.url).pathname)) return response
    return Response.json(change((await response.json()) as Json), { status: response.status })
  })
  return s
}

const PAYROC_STATUSES = [
  'ready',
  'pending',
  'declined',
  'complete',
  'referral',
  'pickup',
  'reversal',
  'admin',
  'expired',
  'accepted',
] as const
const MONEY_MOVED = new Set(['ready', 'pending', 'complete', 'accepted'])

/** Every documented status with every documented response code: the README's outcome. */
const PAYROC_RESULTS: Array<[string, string, string, string | undefined]> = []
for (const code of ['A', 'P', 'D', 'R', 'C', 'E'])
  for (const status of PAYROC_STATUSES) {
    const expected: [string, string | undefined] =
      code === 'A' || code === 'P'
        ? MONEY_MOVED.has(status)
          ? ['approved', code === 'P' ? 'partial' : undefined]
          : ['unknown', 'unreadable']
        : code === 'D'
          ? ['declined', 'declined']
          : code === 'R'
            ? ['declined', 'referral']
            : code === 'C'
              ? ['declined', 'pick-up-card']
              : ['unknown', 'unreadable']
    PAYROC_RESULTS.push([code, status, ...expected])
  }

describe('Payroc: every transactionResult and instruction status', () => {
  it.each(PAYROC_RESULTS)(
    'response code %s with status %s settles %s (%s)',
    async (code, status, outcomeStatus, reasonCode) => {
      const { clock, orchestrator } = payrocResult((body) => {
        body.transactionResult.responseCode = code
        body.transactionResult.status = status
        if (code === 'P') body.transactionResult.authorizedAmount = 2000
        return body
      })
      const p = await orchestrator.sale(payrocPayment(4999))
      const outcome = await drive(clock, p.outcome)
      expect(outcome.status).toBe(outcomeStatus)
      expect(outcome.reasonCode).toBe(reasonCode)
      expect((outcome.raw as Json).transactionResult).toMatchObject({ responseCode: code, status })
      if (outcomeStatus === 'declined') expect(outcome.amounts.approved).toBe(0)
      if (outcomeStatus === 'approved')
        expect(outcome.amounts.approved).toBe(code === 'P' ? 2000 : 4999)
    },
  )

  it.each([
    ['icc', 'chip'],
    ['keyed', 'keyed'],
    ['swiped', 'swiped'],
    ['swipedFallback', 'swiped'],
    ['contactlessIcc', 'contactless'],
    ['contactlessMsr', 'contactless'],
    ['somethingNew', undefined],
  ])('card.entryMethod %s is entryMethod %s', async (method, entry) => {
    const { clock, orchestrator } = payrocResult((body) => {
      body.card.entryMethod = method
      return body
    })
    const p = await orchestrator.sale(payrocPayment(4999))
    const outcome = await drive(clock, p.outcome)
    expect(outcome.status).toBe('approved')
    expect(outcome.entryMethod).toBe(entry)
  })

  it('an approval without approvalCode, card type or entry method invents none of them', async () => {
    const { clock, orchestrator } = payrocResult((body) => {
      delete body.transactionResult.approvalCode
      delete body.card.type
      delete body.card.entryMethod
      return body
    })
    const p = await orchestrator.sale(payrocPayment(4999))
    const outcome = await drive(clock, p.outcome)
    expect(outcome.status).toBe('approved')
    expect(outcome.authCode).toBeUndefined()
    expect(outcome.cardScheme).toBeUndefined()
    expect(outcome.entryMethod).toBeUndefined()
    expect(outcome.maskedPan).toMatch(/\d{4}$/)
  })

  it('an instruction status no document names is never a crash nor a wrong outcome', async () => {
    const s = payrocSetup()
    let rewritten = 0
    s.route(async (request, pass) => {
      const response = await pass(request)
      const path = new URL(request.url).pathname
      if (request.method !== 'GET' || !/\/payment-instructions\/[^/]+$/.test(path)) return response
      const body = (await response.json()) as Json
      if (body.status === 'inProgress' && rewritten++ < 1) body.status = 'queued'
      return Response.json(body, { status: response.status })
    })
    const p = await s.orchestrator.sale(payrocPayment(4999))
    const events = collect(p)
    const outcome = await drive(s.clock, p.outcome)
    // The gateway's next answer decides: the approval stands.
    expect(outcome.status).toBe('approved')
    const list = await events.done
    expect(list.at(-1)).toMatchObject({ type: 'finished', raw: 'completed' })
  })
})

// ---------------------------------------------------------------------------------------------
// SmartConnect: the TransactionResult / Result table
// ---------------------------------------------------------------------------------------------

const SC_TABLE: Array<[string, string, string, string | undefined, PaymentEventType | undefined]> =
  [
    ['OK-ACCEPTED', 'OK', 'approved', undefined, 'authorised'],
    ['OK-DECLINED', 'OK', 'declined', 'declined', 'declined'],
    ['CANCELLED', 'OK', 'cancelled', 'cancelled-on-terminal', undefined],
    ['CANCELLED', '', 'cancelled', 'cancelled-on-terminal', undefined],
    ['CANCELLED', 'FAILED', 'cancelled', 'cancelled-on-terminal', undefined],
    ['CANCELLED', 'FAILED-INTERFACE', 'failed', 'terminal-offline', undefined],
    ['OK-UNAVAILABLE', 'OK', 'failed', 'unavailable', undefined],
    ['OK-UNAVAILABLE', '', 'failed', 'unavailable', undefined],
    ['OK-ACCEPTED', 'FAILED', 'unknown', 'contradictory', undefined],
    ['OK-ACCEPTED', 'FAILED-INTERFACE', 'unknown', 'contradictory', undefined],
    ['OK-ACCEPTED', '', 'unknown', 'contradictory', undefined],
    ['OK-DECLINED', 'FAILED', 'unknown', 'contradictory', undefined],
    ['OK-DELAYED', 'DELAYED-TRANSACTION', 'unknown', 'contradictory', undefined],
    ['', '', 'unknown', 'missing-data', undefined],
    ['OK-SOMETHING-NEW', 'OK', 'failed', 'failed', undefined],
    // Case and spacing are not meaning: the exact value stays the raw value.
    ['ok-accepted', ' ok ', 'approved', undefined, 'authorised'],
  ]

describe('SmartConnect: every TransactionResult / Result pair of the table', () => {
  it.each(SC_TABLE)(
    'COMPLETED with %s / %s settles %s (%s)',
    async (verdict, result, status, reasonCode, eventType) => {
      const { clock, cloud, orchestrator } = await scSetup()
      const payment: Payment = await orchestrator.sale(scSale(1250))
      const events = collect(payment)
      await flush()
      const { transactionId } = payment.ids
      expect(transactionId).toBeDefined()
      cloud.faults.add({
        kind: 'status',
        status: 200,
        body: {
          transactionId,
          transactionStatus: 'COMPLETED',
          data: {
            TransactionResult: verdict,
            Result: result,
            AmountTotal: '1250',
            AuthId: 'AUTH01',
            CardPan: '....0138',
            CardType: 'VISA',
          },
        },
        match: { method: 'GET' },
        times: 1,
      })
      const outcome = await drive(clock, payment.outcome)
      expect(outcome.status).toBe(status)
      expect(outcome.reasonCode).toBe(reasonCode)
      // What the cloud reported is kept whatever the verdict; only an approval has amounts.
      expect(outcome).toMatchObject({
        authCode: 'AUTH01',
        maskedPan: '....0138',
        cardScheme: 'VISA',
      })
      if (status === 'approved')
        expect(outcome.amounts).toMatchObject({ approved: 1250, total: 1250 })
      else expect(outcome.amounts.approved ?? 0).toBe(0)
      const list = await events.done
      const expected: unknown[][] = [['started', 'PENDING']]
      if (eventType) expected.push([eventType, verdict])
      expected.push(['finished', 'COMPLETED'])
      expect(typesAndRaws(list)).toEqual(expected)
    },
  )

  it('PENDING with OK-DELAYED is one processing event with that exact code', async () => {
    const { clock, cloud, orchestrator } = await scSetup()
    const payment = await orchestrator.sale(scSale(1250))
    const events = collect(payment)
    await flush()
    cloud.faults.add({
      kind: 'status',
      status: 200,
      body: {
        transactionId: payment.ids.transactionId,
        transactionStatus: 'PENDING',
        data: { TransactionResult: 'OK-DELAYED', Result: 'DELAYED-TRANSACTION' },
      },
      match: { method: 'GET' },
      times: 3,
    })
    expect((await drive(clock, payment.outcome)).status).toBe('approved')
    expect(typesAndRaws(await events.done)).toEqual([
      ['started', 'PENDING'],
      ['processing', 'OK-DELAYED'],
      ['authorised', 'OK-ACCEPTED'],
      ['finished', 'COMPLETED'],
    ])
  })
})
