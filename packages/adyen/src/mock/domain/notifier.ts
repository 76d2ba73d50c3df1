import type { Clock } from '@tillkit/core'

/** Where the fake sends webhooks: a function, or a URL it POSTs the JSON to. */
export type NotificationTarget = string | ((body: unknown) => void | Promise<void>)

export interface Delivery {
  /** Clock time the cloud sent it. */
  readonly at: number
  readonly body: unknown
}

export interface NotificationFailure {
  readonly at: number
  readonly target: string
  readonly error: unknown
}

/**
 * The cloud's webhook sender: event and display notifications, and the responses of `/async` requests. Each
 * target gets every body in order (one delivery at a time per target); a target that throws or answers non-2xx is
 * recorded in `failures` and not retried.
 */
export class Notifier {
  readonly delivered: Delivery[] = []
  readonly failures: NotificationFailure[] = []
  private readonly targets = new Map<NotificationTarget, Promise<void>>()

  constructor(
    private readonly clock: Clock,
    private readonly post: (url: string, body: string) => Promise<Response>,
  ) {}

  register(target: NotificationTarget): () => void {
    if (typeof target !== 'function' && !/^https?:\/\//.test(String(target)))
      throw new TypeError('A notification target is a function or an http(s) URL')
    this.targets.set(target, Promise.resolve())
    return () => void this.targets.delete(target)
  }

  send(body: unknown): void {
    const at = this.clock.now()
    this.delivered.push({ at, body })
    for (const [target, previous] of this.targets) {
      const next = previous.then(() => this.deliver(target, body, at))
      this.targets.set(target, next)
    }
  }

  /** Resolves once every delivery sent so far has been made (or failed). */
  async settled(): Promise<void> {
    await Promise.all(this.targets.values())
  }

  private async deliver(target: NotificationTarget, body: unknown, at: number): Promise<void> {
    try {
      if (typeof target === 'function') return void (await target(structuredClone(body)))
      const response = await this.post(target, JSON.stringify(body))
      await response.body?.cancel()
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
    } catch (error) {
      this.failures.push({ at, target: typeof target === 'string' ? target : 'callback', error })
    }
  }
}
