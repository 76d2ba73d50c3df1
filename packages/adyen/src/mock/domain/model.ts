import type { Clock } from '@tillkit/core'
import { toMinorUnits } from '../../currency.js'
import { validateAbortRequest } from '../../generated/nexo/abort-request.validate.js'
import type { AbortRequestBody } from '../../generated/nexo/abort-request.js'
import { validatePaymentRequest } from '../../generated/nexo/payment-request.validate.js'
import { validateReversalRequest } from '../../generated/nexo/reversal-request.validate.js'
import type { TransactionStatusRequestBody } from '../../generated/nexo/transaction-status-request.js'
import { validateTransactionStatusRequest } from '../../generated/nexo/transaction-status-request.validate.js'
import { describeErrors, type Validator } from '../../wire.js'
import { Device, Run, type DeviceConfig } from './device.js'
import { Ledger } from './ledger.js'
import { Ids, rejectEvent, responseEnvelope, result, type Header, type Json } from './messages.js'
import type { Notifier } from './notifier.js'
import { runPayment, runReversal, type Env } from './scripts.js'

export interface ModelSettings {
  clock: Clock
  stepMs: number
  /** How long SaleID/ServiceID pairs stay taken and finished requests stay visible to TransactionStatus. */
  retentionMs: number
  merchantAccounts: readonly string[]
}

/**
 * What the cloud answers over HTTP: a JSON body, the acknowledgement of a request taken through `/async` (each
 * transport words it its own way: see the HTTP front-end), or nothing.
 */
export type Answer = { json: Json } | { accepted: true } | { empty: true }

/** Adyen's wording when it cannot reach a terminal (seen in its library's fixtures). */
export const UNREACHABLE_MESSAGE = 'Did not receive a response from the POI.'

const VALIDATORS: Record<string, Validator<unknown>> = {
  Payment: validatePaymentRequest,
  Reversal: validateReversalRequest,
  Abort: validateAbortRequest,
  TransactionStatus: validateTransactionStatusRequest,
}

/**
 * The fake cloud without HTTP: merchant accounts, devices, the requests they work on, the ledger and the
 * webhooks. The HTTP front-end checks credentials and routing, then hands each nexo message to {@link handle}.
 */
export class AdyenModel {
  readonly ledger = new Ledger()
  readonly devices = new Map<string, Device>()
  private readonly env: Env

  constructor(
    readonly settings: ModelSettings,
    readonly notifier: Notifier,
    devices: readonly DeviceConfig[],
  ) {
    this.env = {
      clock: settings.clock,
      stepMs: settings.stepMs,
      ledger: this.ledger,
      notifier,
      ids: new Ids(),
    }
    for (const config of devices) this.addDevice(config)
  }

  addDevice(config: DeviceConfig): Device {
    if (this.devices.has(config.poiId)) throw new Error(`Device ${config.poiId} already exists`)
    const device = new Device(
      config.poiId,
      config,
      this.settings.merchantAccounts[0] ?? 'TestMerchant',
      this.settings.retentionMs,
    )
    this.devices.set(config.poiId, device)
    return device
  }

  device(poiId: string): Device {
    const device = this.devices.get(poiId)
    if (!device) throw new Error(`No device ${poiId}`)
    return device
  }

  /**
   * One nexo request to one device. `sync`: resolves with what the HTTP response carries once the terminal has
   * answered (or the cloud gave up on it); `async`: resolves at once (accepted, or a Reject event when the device
   * is offline) and sends the terminal's answer as a webhook later. `signal` is the HTTP request's: when the caller
   * goes away the wait ends, never the terminal's work.
   */
  async handle(
    message: { SaleToPOIRequest: Json & { MessageHeader: Header } },
    device: Device,
    mode: 'sync' | 'async',
    signal: AbortSignal,
  ): Promise<Answer> {
    const header = message.SaleToPOIRequest.MessageHeader
    const now = this.settings.clock.now()
    if (!device.online) return { json: rejectEvent(header, message, now, UNREACHABLE_MESSAGE) }
    const outcome = this.dispatch(message, device, header, now)
    if (mode === 'async') {
      if (outcome instanceof Run) void outcome.finished.then((answer) => this.notifier.send(answer))
      else if (outcome) this.notifier.send(outcome)
      return { accepted: true }
    }
    if (!(outcome instanceof Run)) return outcome ? { json: outcome } : { empty: true }
    return { json: await this.waitFor(outcome, device, message, signal) }
  }

  /** A run's answer, or the Reject the cloud sends when the device drops while it runs. */
  private waitFor(run: Run, device: Device, message: unknown, signal: AbortSignal): Promise<Json> {
    return new Promise<Json>((resolve, reject) => {
      const cleanup = () => {
        offline()
        signal.removeEventListener('abort', gone)
      }
      const gone = () => (cleanup(), reject(signal.reason))
      const offline = device.onOffline(() => {
        cleanup()
        resolve(rejectEvent(run.header, message, this.settings.clock.now(), UNREACHABLE_MESSAGE))
      })
      // An already aborted signal never fires: the wait then ends with the run, and nobody reads it.
      signal.addEventListener('abort', gone, { once: true })
      void run.finished.then((answer) => (cleanup(), resolve(answer)))
    })
  }

  /** An immediate answer (a response, or undefined for none), or the run the terminal started. */
  private dispatch(
    message: { SaleToPOIRequest: Json & { MessageHeader: Header } },
    device: Device,
    header: Header,
    now: number,
  ): Json | Run | undefined {
    const category = header.MessageCategory
    // An abort has no response message (Adyen defines no AbortResponse): one refused here is
    // answered as the cloud answers a request it did not pass on, with a Reject event.
    const refuse = (condition: string, text: string, key?: string) =>
      category === 'Abort'
        ? rejectEvent(header, message, now, text)
        : this.refuse(header, condition, text, key)
    // Own keys only: a category named like an Object.prototype member (`constructor`, `toString`)
    // must be a category the fake does not handle, not a "validator" that hangs or throws.
    const validate = Object.hasOwn(VALIDATORS, category) ? VALIDATORS[category] : undefined
    if (!validate || header.MessageType !== 'Request' || header.MessageClass !== 'Service')
      return refuse(
        'NotAllowed',
        `The fake cloud does not handle ${category} ${header.MessageType}s`,
      )
    if (!validate(message))
      return refuse('MessageFormat', describeErrors(validate.errors), 'errors')
    if (!device.claim(header, now))
      return refuse(
        'NotAllowed',
        `ServiceID ${header.ServiceID} was already used with SaleID ${header.SaleID}`,
      )
    const body = message.SaleToPOIRequest
    switch (category) {
      case 'TransactionStatus':
        return this.status(
          device,
          header,
          body.TransactionStatusRequest as TransactionStatusRequestBody,
          now,
        )
      case 'Abort': {
        const reference = (body.AbortRequest as AbortRequestBody).MessageReference
        const target = device.run(reference.SaleID ?? header.SaleID, reference.ServiceID, now)
        if (target?.category === reference.MessageCategory) target.interrupt('aborted')
        return undefined
      }
      default:
        return this.start(device, header, body, now)
    }
  }

  private start(device: Device, header: Header, body: Json, now: number): Json | Run {
    if (header.MessageCategory === 'Payment') {
      const amounts = (
        body.PaymentRequest as {
          PaymentTransaction: { AmountsReq: { Currency: string } & Record<string, unknown> }
        }
      ).PaymentTransaction.AmountsReq
      // Every amount of AmountsReq (the schema has checked they are numbers), not only RequestedAmount:
      // a tip or a cashback with more decimals than the currency is no amount in it either.
      for (const [field, value] of Object.entries(amounts)) {
        if (field === 'Currency') continue
        try {
          toMinorUnits(value as number, amounts.Currency)
        } catch {
          return this.keepRefusal(
            device,
            header,
            body,
            now,
            'MessageFormat',
            `${field} is not an amount in ${amounts.Currency}`,
            'errors',
          )
        }
      }
    }
    if (device.active)
      return this.keepRefusal(
        device,
        header,
        body,
        now,
        'Busy',
        'Another request is in progress on the terminal',
      )
    const run = new Run(header, body, now)
    device.keep(run)
    device.active = run
    const script = header.MessageCategory === 'Payment' ? runPayment : runReversal
    void script(run, device, this.env).finally(() => {
      if (device.active === run) device.active = undefined
    })
    return run
  }

  /**
   * A payment or reversal refused at once (busy terminal, bad amount): it reached the terminal, so TransactionStatus
   * repeats the refusal.
   */
  private keepRefusal(
    device: Device,
    header: Header,
    body: Json,
    now: number,
    condition: string,
    text: string,
    key = 'message',
  ): Json {
    const answer = this.refuse(header, condition, text, key, body)
    const run = new Run(header, body, now)
    run.finish(answer)
    device.keep(run, false)
    return answer
  }

  /**
   * A `<Category>Response` with `Result: Failure`; payment bodies get the fields their schema requires. Never for an
   * abort, which has no response (see `dispatch`).
   */
  private refuse(
    header: Header,
    condition: string,
    text: string,
    key = 'message',
    body?: Json,
  ): Json {
    const response = result('Failure', 'form', { [key]: text }, condition)
    if (header.MessageCategory !== 'Payment')
      return responseEnvelope(header, { Response: response })
    const now = this.settings.clock.now()
    const saleData = (
      body?.PaymentRequest as { SaleData?: { SaleTransactionID?: unknown } } | undefined
    )?.SaleData
    const { poiTransactionId } = this.env.ids.next(now)
    return responseEnvelope(header, {
      Response: response,
      SaleData: saleData?.SaleTransactionID
        ? { SaleTransactionID: saleData.SaleTransactionID }
        : {},
      POIData: {
        POITransactionID: {
          TransactionID: poiTransactionId,
          TimeStamp: new Date(now).toISOString(),
        },
      },
    })
  }

  private status(
    device: Device,
    header: Header,
    body: TransactionStatusRequestBody,
    now: number,
  ): Json {
    const reference = body.MessageReference
    const run =
      reference?.ServiceID !== undefined
        ? device.run(reference.SaleID ?? header.SaleID, reference.ServiceID, now)
        : device.last
    const reply = (response: Json, extra: Json = {}) =>
      responseEnvelope(header, { Response: response, ...extra })
    if (
      !run ||
      (reference?.MessageCategory !== undefined && reference.MessageCategory !== run.category)
    )
      return reply(result('Failure', 'form', { message: 'Transaction not found' }, 'NotFound'))
    if (run.state === 'running')
      return reply(result('Failure', 'form', { message: 'Transaction in progress' }, 'InProgress'))
    const original = (run.answer as { SaleToPOIResponse: Json & { MessageHeader: Json } })
      .SaleToPOIResponse
    return reply(result('Success', 'form'), {
      MessageReference: {
        MessageCategory: run.category,
        ServiceID: run.header.ServiceID,
        SaleID: run.header.SaleID,
        POIID: run.header.POIID,
      },
      RepeatedMessageResponse: {
        MessageHeader: original.MessageHeader,
        RepeatedResponseMessageBody: {
          [`${run.category}Response`]: original[`${run.category}Response`],
        },
      },
    })
  }
}
