/**
 * A misspelt option (`timeout` for `timeoutMs`) is refused when the client is made, naming it and
 * never quoting its value, before anything is sent; every option the type documents is taken.
 */
import { createManualClock } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { createSmartConnectClient, type SmartConnectClientOptions } from '../src/index.js'
import { captureLogger, unknownName } from '../../core/test/helpers.js'
import { REGISTER } from './helpers.js'

/** A secret-looking value: it must appear in no error. */
const SECRET = `sc_live_${crypto.randomUUID()}`

/** A fetch that records every request. */
function recorder() {
  const sent: Request[] = []
  const fetch = async (request: Request) => (
    sent.push(request),
    new Response(null, { status: 200 })
  )
  return { sent, fetch }
}

describe('createSmartConnectClient', () => {
  it.each([
    ['timeout', { timeout: SECRET }, 'options.timeout'],
    // The client never repeats a request: a retry policy would be silently ignored.
    ['retry', { retry: SECRET }, 'options.retry'],
    ['registerId', { registerId: SECRET }, 'options.registerId'],
    ['a register name', { register: { ...REGISTER, vendor: SECRET } }, 'options.register.vendor'],
  ])('refuses the unknown name %s, sending nothing', (_name, extra, field) => {
    const { sent, fetch } = recorder()
    const options = { environment: 'dev', register: REGISTER, fetch, ...extra }
    unknownName(() => createSmartConnectClient(options as SmartConnectClientOptions), field, SECRET)
    expect(sent).toHaveLength(0)
  })

  it('takes every option of its type', () => {
    const every: Required<SmartConnectClientOptions> = {
      environment: 'dev',
      register: REGISTER,
      baseUrl: 'https://proxy.example/POS',
      fetch: recorder().fetch,
      logger: captureLogger().logger,
      timeoutMs: 5_000,
      clock: createManualClock(),
    }
    expect(createSmartConnectClient(every).register).toEqual(REGISTER)
  })
})
