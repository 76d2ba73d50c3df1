import { describe, expect, it } from 'vitest'
import { safeLogger } from '../src/logger.js'
import { createRedactor, REDACTED } from '../src/redact.js'
import { captureLogger } from './helpers.js'

const redact = createRedactor(['the-api-key'])

describe('safeLogger', () => {
  it('passes redacted fields and message to every level', () => {
    const { lines, logger } = captureLogger()
    const log = safeLogger(logger, redact)
    log.debug({ url: 'https://h/?token=t' }, 'with the-api-key')
    log.info({ a: 'the-api-key' })
    log.warn({ headers: { authorization: 'Basic xyz' } }, 'w')
    log.error({ err: new Error('the-api-key') }, 'e')
    expect(lines.map((l) => l.level)).toEqual(['debug', 'info', 'warn', 'error'])
    expect(lines[0]).toEqual({
      level: 'debug',
      obj: { url: `https://h/?token=${REDACTED}` },
      msg: `with ${REDACTED}`,
    })
    expect(lines[1]).toEqual({ level: 'info', obj: { a: REDACTED }, msg: undefined })
    expect(lines[2]!.obj).toEqual({ headers: { authorization: REDACTED } })
    expect((lines[3]!.obj as { err: Error }).err.message).toBe(REDACTED)
  })

  it('calls console-style loggers with one argument when there is no message', () => {
    const calls: unknown[][] = []
    const log = safeLogger({ info: (...args: unknown[]) => void calls.push(args) }, redact)
    log.info({ x: 1 })
    log.info({ x: 2 }, 'm')
    expect(calls).toEqual([[{ x: 1 }], [{ x: 2 }, 'm']])
  })

  it('keeps the logger as `this`, as pino needs', () => {
    class Pinoish {
      seen: string[] = []
      info(_obj: object, msg?: string) {
        this.seen.push(msg ?? '')
      }
    }
    const pino = new Pinoish()
    safeLogger(pino, redact).info({}, 'hello')
    expect(pino.seen).toEqual(['hello'])
  })

  it('turns missing loggers and methods into no-ops', () => {
    expect(() => safeLogger(undefined, redact).error({}, 'x')).not.toThrow()
    const partial = captureLogger()
    const log = safeLogger({ error: partial.logger.error }, redact)
    log.debug({}, 'ignored')
    log.error({}, 'kept')
    expect(partial.lines.map((l) => l.msg)).toEqual(['kept'])
    expect(() => safeLogger({ info: 'not a function' } as never, redact).info({})).not.toThrow()
  })

  it('no logger, however often wrapped, costs no redaction', () => {
    let redactions = 0
    const counting = Object.assign((text: string) => (redactions++, redact(text)), {
      value: <T>(value: T) => (redactions++, redact.value(value)),
    }) as typeof redact
    const silent = safeLogger(safeLogger(undefined, counting), counting)
    silent.debug({ url: 'https://h/?token=t' }, 'message')
    expect(redactions).toBe(0)
    expect(silent).toBe(safeLogger(undefined, counting))
  })

  it('swallows a logger that throws or rejects', async () => {
    const log = safeLogger(
      {
        info: () => {
          throw new Error('disk full')
        },
        warn: (() => Promise.reject(new Error('async disk full'))) as never,
      },
      redact,
    )
    expect(() => log.info({}, 'x')).not.toThrow()
    expect(() => log.warn({}, 'x')).not.toThrow()
    // An unhandled rejection would fail the run; give it a turn to surface.
    await new Promise((r) => setImmediate(r))
  })
})
