import { TillkitValidationError } from '@tillkit/core'

/**
 * The provider cannot cancel a running payment from the POS (SmartConnect): ask the operator to
 * press cancel on the terminal. Thrown by `payment.cancel()` before any request.
 */
export class CancelOnTerminalError extends TillkitValidationError {
  declare readonly provider: string

  constructor(provider: string) {
    super('cancel', `not possible from the POS with ${provider}: cancel on the terminal`)
    this.name = 'CancelOnTerminalError'
    this.provider = provider
  }
}

/**
 * The journal could not record a payment's intent (or a table's opening), so it was refused before
 * anything was sent (`mayHaveReachedProvider` is false). The cause is the store's error.
 */
export class JournalWriteError extends Error {
  readonly mayHaveReachedProvider = false

  /**
   * `ending`: the intent was recorded, but not its end when `close()` refused it. Nothing was sent,
   * and `recover()` finds that out by itself: a payment without `sending` settles `failed`
   * (`not-sent`), a table is read at the provider and, absent, ends `not-opened`.
   */
  constructor(id: string, cause: unknown, what: 'payment' | 'table' = 'payment', ending = false) {
    const subject = what === 'payment' ? 'intent of payment' : 'opening of table'
    super(
      ending
        ? `journal: the ${subject} ${id} was recorded, but not that close() refused it; nothing was sent, and recover() will end it as never started`
        : `journal: the ${subject} ${id} could not be recorded; nothing was sent`,
      { cause },
    )
    this.name = 'JournalWriteError'
  }
}
