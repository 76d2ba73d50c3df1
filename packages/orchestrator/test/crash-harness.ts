/**
 * What the crash-point tests share: a process's network and journal that die at a chosen record,
 * as a killed process's would.
 */
export type Fetch = (request: Request) => Promise<Response>

export const never = <T>() => new Promise<T>(() => {})

/**
 * A's network. The harnesses spread their `adapter` option into every adapter they make, so a getter
 * there is read once per process: the first read (A, made inside the harness's setup) gets a line
 * that goes dead at `kill()`; later reads (B, made by `restart`) get the cloud straight.
 */
export function fetchLine(send: Fetch) {
  let dead = false
  let made = 0
  const dying: Fetch = async (request) => {
    if (dead) return never()
    try {
      const response = await send(request)
      // A dead process reads no answers either.
      return dead ? never() : response
    } catch (error) {
      if (dead) return never()
      throw error
    }
  }
  return {
    options: {
      get fetch(): Fetch {
        return made++ === 0 ? dying : send
      },
    },
    kill: () => void (dead = true),
  }
}

/**
 * When A dies, relative to its k-th record: `right after` it is durable (the append never answers,
 * so A does nothing more), or `just before` the next one (the k-th answered and A worked on,
 * sending requests, until it went to write record k + 1, which is not stored).
 */
export type Moment = 'right after' | 'just before next'

/** One crash: at the k-th of a reference run's K records (of `type`), at `moment`. */
export interface CrashCase {
  moment: Moment
  k: number
  K: number
  type: string
  /** The record A was about to write when it died (`just before next`). */
  next?: string
}

/**
 * An append that dies at record `k` (see Moment): from then every call never answers. `store`
 * keeps a record; `records` are those stored, in order.
 */
export function dyingAppend<R>(
  k: number,
  moment: Moment,
  crash: () => void,
  store: (record: R) => Promise<void>,
) {
  const records: R[] = []
  let dead = false
  const append = async (record: R): Promise<void> => {
    if (dead) return never()
    if (moment === 'just before next' && records.length === k) {
      dead = true
      crash()
      return never()
    }
    records.push(structuredClone(record))
    const stored = store(record)
    if (moment === 'right after' && records.length === k) {
      dead = true
      crash()
      await stored
      return never()
    }
    return stored
  }
  return { append, records, dead: () => dead }
}
