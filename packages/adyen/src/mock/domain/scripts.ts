import type { Clock } from '@tillkit/core'
import { toDecimalText, toMajorUnits, toMinorUnits } from '../../currency.js'
import type { PaymentRequestBody } from '../../generated/nexo/payment-request.js'
import type { ReversalRequestBody } from '../../generated/nexo/reversal-request.js'
import {
  cardFor,
  CARD_PROMPT_TIMEOUT_MS,
  chooseScenario,
  DECLINES,
  SLOW_CARD_MS,
} from '../scenarios.js'
import type { Device, Run } from './device.js'
import type { Ledger } from './ledger.js'
import {
  displayNotification,
  receipt,
  responseEnvelope,
  result,
  type Ids,
  type Json,
} from './messages.js'
import type { Notifier } from './notifier.js'

/** Adyen's processing limit for a cloud request: past it the cloud cancels the request and answers. */
export const CLOUD_PROCESSING_LIMIT_MS = 150_000

export interface Env {
  clock: Clock
  stepMs: number
  ledger: Ledger
  notifier: Notifier
  ids: Ids
}

const iso = (at: number) => new Date(at).toISOString()

/**
 * What the terminal does with a payment, step by step on the cloud's clock: prompts (each reported as a display
 * notification), the issuer's answer (recorded in the ledger), the response. An abort before the issuer has the
 * request, or Adyen's 150 s processing limit, ends it early.
 */
export async function runPayment(run: Run, device: Device, env: Env): Promise<void> {
  const { clock, ledger, ids } = env
  const stepMs = device.stepMs ?? env.stepMs
  const body = run.request.PaymentRequest as PaymentRequestBody
  const { Currency: currency, RequestedAmount } = body.PaymentTransaction.AmountsReq
  const requested = toMinorUnits(RequestedAmount, currency)
  const refund = body.PaymentData?.PaymentType === 'Refund'
  const scenario = chooseScenario(device.scenario, requested)
  const card = cardFor(scenario)
  const refs = ids.next(run.startedAt)
  const format = device.additionalFormat
  let cardRead = false

  const display = (event: string) =>
    env.notifier.send(
      displayNotification(run.header, device.nextDisplayId(), event, refs.tender, clock.now()),
    )
  const wait = (ms: number) => clock.sleep(ms, run.signal)
  const finish = (response: Json, authorised?: number) => {
    const approved = authorised !== undefined
    run.finish(
      responseEnvelope(run.header, {
        Response: response,
        SaleData: {
          SaleTransactionID: body.SaleData.SaleTransactionID,
          ...(body.SaleData.SaleReferenceID && { SaleReferenceID: body.SaleData.SaleReferenceID }),
        },
        POIData: {
          POITransactionID: { TransactionID: refs.poiTransactionId, TimeStamp: iso(run.startedAt) },
          POIReconciliationID: '1000',
        },
        ...(cardRead && {
          PaymentResult: {
            PaymentType: refund ? 'Refund' : 'Normal',
            PaymentInstrumentData: {
              PaymentInstrumentType: 'Card',
              CardData: {
                PaymentBrand: card.brand,
                MaskedPan: card.maskedPan,
                EntryMode: [card.entryMode],
              },
            },
            AmountsResp: {
              Currency: currency,
              AuthorizedAmount: toMajorUnits(authorised ?? 0, currency),
            },
            OnlineFlag: true,
            ...(card.pin && { AuthenticationMethod: ['OnlinePIN'] }),
            ...(approved && {
              PaymentAcquirerData: {
                MerchantID: device.merchantAccount,
                AcquirerPOIID: device.poiId,
                AcquirerTransactionID: { TransactionID: refs.psp, TimeStamp: iso(clock.now()) },
                ApprovalCode: ids.approvalCode(),
              },
            }),
          },
        }),
        ...(approved && {
          PaymentReceipt: (['CashierReceipt', 'CustomerReceipt'] as const).map((qualifier) =>
            receipt(qualifier, [
              ['header', qualifier === 'CashierReceipt' ? 'MERCHANT COPY' : 'CARDHOLDER COPY'],
              ['pan', 'Card', card.maskedPan.slice(-4).padStart(16, '*')],
              ['txtype', 'Type', refund ? 'REFUND' : 'GOODS_SERVICES'],
              ['totalAmount', 'TOTAL', `${currency} ${toDecimalText(authorised, currency)}`],
              ['approved', 'APPROVED'],
            ]),
          ),
        }),
      }),
    )
  }
  const failure = (condition: string, pairs: Record<string, string>) =>
    finish(
      result(
        'Failure',
        format,
        {
          pspReference: refs.psp,
          merchantReference: body.SaleData.SaleTransactionID.TransactionID,
          ...pairs,
        },
        condition,
      ),
    )

  const watchdog = clock.schedule(CLOUD_PROCESSING_LIMIT_MS, () => run.interrupt('timeout'))
  try {
    display('TENDER_CREATED')
    await wait(stepMs)
    if (scenario === 'no-card') {
      await wait(CARD_PROMPT_TIMEOUT_MS)
      return failure('Cancel', { refusalReason: 'Timeout', message: 'Card prompt timed out' })
    }
    if (scenario === 'slow-card') await wait(SLOW_CARD_MS)
    if (scenario === 'cancelled-on-terminal') {
      await wait(stepMs)
      return failure('Cancel', { refusalReason: 'Shopper Cancelled', message: 'CANCELLED' })
    }
    display(card.entryMode === 'ICC' ? 'CARD_INSERTED' : 'CARD_PRESENTED')
    cardRead = true
    await wait(stepMs)
    if (card.pin) {
      display('WAIT_FOR_PIN')
      await wait(stepMs)
      display('PIN_ENTERED')
      await wait(stepMs)
    }
    const decline = DECLINES[scenario]
    if (decline && !decline.issuer)
      return failure(decline.condition, {
        refusalReason: decline.refusalReason,
        message: 'DECLINED',
      })
    run.reachedAcquirer = true
    // The issuer never answers: the processing limit ends the wait.
    if (scenario === 'processing-timeout') await wait(2 * CLOUD_PROCESSING_LIMIT_MS)
    await wait(stepMs)
    const entry = {
      at: clock.now(),
      merchantAccount: device.merchantAccount,
      poiId: device.poiId,
      saleId: run.header.SaleID,
      serviceId: run.header.ServiceID,
      kind: refund ? ('refund' as const) : ('sale' as const),
      currency,
      poiTransactionId: refs.poiTransactionId,
      pspReference: refs.psp,
    }
    if (decline) {
      ledger.record({
        ...entry,
        amount: requested,
        result: 'declined',
        refusalReason: decline.refusalReason,
      })
      return failure(decline.condition, {
        refusalReason: decline.refusalReason,
        message: 'DECLINED',
      })
    }
    const authorised = scenario === 'partial' ? Math.max(1, Math.floor(requested / 2)) : requested
    ledger.record({ ...entry, amount: authorised, result: 'approved' })
    display('PRINT_RECEIPT')
    finish(
      result(scenario === 'partial' ? 'Partial' : 'Success', format, {
        pspReference: refs.psp,
        merchantReference: body.SaleData.SaleTransactionID.TransactionID,
        posAuthAmountValue: authorised,
        posAuthAmountCurrency: currency,
        paymentMethod: card.brand,
        cardSummary: card.maskedPan.slice(-4),
        authCode: ids.approvalCode(),
        transactionType: refund ? 'REFUND' : 'GOODS_SERVICES',
      }),
      authorised,
    )
  } catch (error) {
    const reason: unknown = run.signal.reason
    if (reason === 'aborted')
      return failure('Aborted', {
        refusalReason: 'Aborted',
        message: 'Transaction aborted by the POS',
      })
    if (reason === 'timeout') return failure('Cancel', { message: 'Communication timeout' })
    throw error
  } finally {
    watchdog()
  }
}

/**
 * A reversal (referenced refund): the terminal checks the original payment and what is left of it, the acquirer
 * books it, the response follows. No card is needed.
 */
export async function runReversal(run: Run, device: Device, env: Env): Promise<void> {
  const { clock, ledger, ids } = env
  const stepMs = device.stepMs ?? env.stepMs
  const body = run.request.ReversalRequest as ReversalRequestBody
  const originalId = body.OriginalPOITransaction.POITransactionID.TransactionID
  const refs = ids.next(run.startedAt)
  const format = device.additionalFormat
  const finish = (response: Json, reversed?: number, currency?: string) =>
    run.finish(
      responseEnvelope(run.header, {
        Response: response,
        POIData: {
          POITransactionID: { TransactionID: refs.poiTransactionId, TimeStamp: iso(run.startedAt) },
          POIReconciliationID: '1000',
        },
        OriginalPOITransaction: { POITransactionID: body.OriginalPOITransaction.POITransactionID },
        ...(reversed !== undefined && { ReversedAmount: toMajorUnits(reversed, currency!) }),
      }),
    )
  const refuse = (condition: string, message: string) =>
    finish(result('Failure', format, { pspReference: refs.psp, message }, condition))

  const watchdog = clock.schedule(CLOUD_PROCESSING_LIMIT_MS, () => run.interrupt('timeout'))
  // The amount held while the acquirer books the reversal; let go if it never gets there.
  let release = () => {}
  try {
    await clock.sleep(stepMs, run.signal)
    const original = ledger.sale(originalId)
    if (!original || original.merchantAccount !== device.merchantAccount)
      return refuse('NotAllowed', 'Original transaction not found')
    const left = original.amount - ledger.reversed(original.poiTransactionId)
    let amount = left
    if (body.ReversedAmount !== undefined) {
      try {
        amount = toMinorUnits(body.ReversedAmount, original.currency)
      } catch {
        return refuse(
          'MessageFormat',
          `ReversedAmount has too many decimals for ${original.currency}`,
        )
      }
    }
    if (amount <= 0 || amount > left)
      return refuse('NotAllowed', 'Amount exceeds what is left to reverse')
    release = ledger.hold(original.poiTransactionId, amount)
    run.reachedAcquirer = true
    await clock.sleep(stepMs, run.signal)
    release()
    ledger.record({
      at: clock.now(),
      merchantAccount: device.merchantAccount,
      poiId: device.poiId,
      saleId: run.header.SaleID,
      serviceId: run.header.ServiceID,
      kind: 'reversal',
      amount,
      currency: original.currency,
      result: 'approved',
      poiTransactionId: refs.poiTransactionId,
      pspReference: refs.psp,
      original: original.poiTransactionId,
    })
    finish(
      result('Success', format, {
        pspReference: refs.psp,
        originalReference: original.pspReference,
      }),
      amount,
      original.currency,
    )
  } catch (error) {
    const reason: unknown = run.signal.reason
    if (reason === 'aborted') return refuse('Aborted', 'Reversal aborted by the POS')
    if (reason === 'timeout') return refuse('Cancel', 'Communication timeout')
    throw error
  } finally {
    release()
    watchdog()
  }
}
