import type { Script } from './run.js'
import type { TransactionRun } from './transaction.js'

/** How long a card-present terminal waits for a card before giving up (scenario `timeout`). */
export const CARD_TIMEOUT_MS = 60_000
/** When the card finally arrives in scenario `slow-card`. */
export const SLOW_CARD_MS = 20_000
/** How long the terminal stays off the network in scenario `offline-midway`. */
export const OFFLINE_MS = 30_000
/** Steps the terminal waits for a card before someone cancels it on the terminal itself. */
const CANCEL_ON_TERMINAL_STEPS = 3
/** Steps manual key entry takes (card-not-present transactions are allowed to take longer). */
const KEY_ENTRY_STEPS = 5

/** The script a transaction follows, chosen by its type and scenario. */
export function transactionScript(t: TransactionRun): Script {
  return t.order.type === 'DUPLICATE' ? duplicate(t) : cardTransaction(t)
}

function* duplicate(t: TransactionRun): Script {
  t.notify('TRANSACTION_STARTED')
  yield t.stepMs
  t.notify('PLEASE_WAIT')
  yield t.stepMs
  t.finishAsDuplicate(t.terminal.lastTransaction)
}

/**
 * Sale, refund, pre-auth, completion and account verification share one flow; the scenario picks
 * the branch. Each `yield` is the time until the next step.
 */
function* cardTransaction(t: TransactionRun): Script {
  const step = t.stepMs
  t.notify('TRANSACTION_STARTED')
  yield step

  // Manual key entry (card not present) shows no card prompt; the scenarios that play out while
  // the terminal waits for the card play out the same while it waits for the keyed details.
  const keyed = t.order.cardholderNotPresent === true
  const contactless = !keyed && t.card.paymentMethod === 'CONTACTLESS'
  if (!keyed) t.notify(contactless ? 'PRESENT_CARD' : 'INSERT_CARD')
  if (t.scenario === 'timeout') {
    yield CARD_TIMEOUT_MS
    return t.finish(
      'TIMED_OUT',
      keyed ? 'No card details were keyed in time.' : 'No card was presented in time.',
    )
  }
  if (t.scenario === 'cancelled-on-terminal') {
    yield CANCEL_ON_TERMINAL_STEPS * step
    return t.finish('CANCELLED', 'Transaction cancelled on the terminal.')
  }
  yield t.scenario === 'slow-card' ? SLOW_CARD_MS : keyed ? KEY_ENTRY_STEPS * step : step
  t.cardRead = true
  if (!keyed) {
    t.cardInserted = !contactless
    if (t.card.cvm === 'PIN') {
      t.notify('PIN_ENTRY')
      yield step
    }
  }

  if (t.scenario === 'declined-by-card') {
    t.notify('DECLINED_BY_CARD')
    yield step
    yield* removeCard(t)
    return t.finish('DECLINED', 'Declined by card.')
  }

  t.notify('PLEASE_WAIT')
  yield step
  t.notify('CONNECTING')
  yield step
  if (t.scenario === 'unsuccessful') {
    t.notify('PROCESSING_ERROR')
    yield step
    yield* removeCard(t)
    return t.finish('UNSUCCESSFUL', 'The terminal could not reach the acquirer.')
  }
  t.notify('CONNECTION_MADE')
  yield step
  const approved = t.sendToAcquirer()
  yield step

  if (!approved) {
    t.notify('DECLINED')
    yield step
    yield* removeCard(t)
    return t.finish('DECLINED', 'Declined.')
  }
  if (t.scenario === 'offline-midway') yield t.goOffline(OFFLINE_MS)

  if (t.card.cvm === 'SIGNATURE') {
    yield t.awaitSignature()
    const decision = t.signatureDecision()
    if (decision === 'timed-out') {
      t.notify('SIGNATURE_VERIFICATION_TIMEOUT')
      yield step
    } else {
      t.notify('SIGNATURE_VERIFICATION_PROCESS_COMPLETED')
      yield step
    }
    const accepted =
      decision === 'accepted' || (decision === 'timed-out' && t.env.signatureTimeout === 'accept')
    if (!accepted) {
      t.notify('PLEASE_WAIT')
      t.reverse()
      yield step
      yield* removeCard(t)
      return t.finish(
        'VOID',
        decision === 'declined'
          ? 'Signature declined: the payment was reversed.'
          : 'Signature check not actioned before the timeout: the payment was reversed.',
      )
    }
  }

  t.notify('APPROVED')
  yield step
  yield* removeCard(t)
  t.finish('SUCCESSFUL', 'Approved.')
}

function* removeCard(t: TransactionRun): Script {
  if (!t.cardInserted) return
  t.notify('REMOVE_CARD')
  t.cardInserted = false
  yield t.stepMs
}
