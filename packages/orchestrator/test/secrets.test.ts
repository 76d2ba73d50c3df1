import { readFile } from 'node:fs/promises'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '@tillkit/core'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { createOrchestrator } from '../src/index.js'
import { createFileJournal } from '../src/node.js'
import { paymentsenseAdapter } from '../src/paymentsense.js'
import { ACCOUNT, drive, recordingLogger, sale, setup, tempJournals, TID } from './harness.js'

const unique = (prefix: string) => `${prefix}${crypto.randomUUID().replaceAll('-', '')}`

/** Everything a caller can see of a value, in the forms it is usually shown. */
const shown = (value: unknown) => `${JSON.stringify(value)}\n${inspect(value, { depth: 10 })}`

const journalPath = tempJournals('tillkit-secrets-')

describe('secrets in what the orchestrator hands on', () => {
  it('paymentsense: a start refused with a body that echoes the API key keeps it out of the outcome, logs and the file journal', async () => {
    const apiKey = unique('sk_review_')
    const path = await journalPath()
    const journal = await createFileJournal(path)
    const { logger, logs } = recordingLogger()
    const { clock, orchestrator } = setup({
      adapter: { apiKey },
      cloud: { apiKeys: [apiKey] },
      orchestrator: { journal, logger },
      wire: async (request, next) => {
        if (request.method !== 'POST') return next(request)
        // Connect (or a proxy in front of it) echoes what it was sent in its refusal.
        return Response.json(
          {
            userMessage: `Request refused for API key ${apiKey}`,
            echo: { apiKey, authorization: request.headers.get('authorization') },
          },
          { status: 400, headers: { 'content-type': 'application/connect.v2+json' } },
        )
      },
    })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('failed')
    await orchestrator.close()
    const file = await readFile(path, 'utf8')
    const seen = [shown(outcome), shown(logs), file].join('\n')
    expect(seen).not.toContain(apiKey)
  })

  it("an adapter's API key is known to the orchestrator: whatever the adapter hands on, it is redacted", async () => {
    const apiKey = unique('sk_adapter_')
    const clock = createManualClock()
    const cloud = createFakeCloud({ clock, apiKeys: [apiKey], terminals: [{ tid: TID }] })
    const real = paymentsenseAdapter({
      account: 'acme',
      environment: 'test',
      apiKey,
      softwareHouseId: 'SWH',
      installerId: 'INST',
      fetch: (request) => cloud.fetch(request),
    })
    // An adapter (a provider's new answer, a custom wrapper) that quotes the key in its refusal.
    const leaky = {
      ...real,
      start: async () => ({
        ids: {},
        outcome: {
          status: 'failed' as const,
          reasonCode: 'refused',
          reason: `refused for ${apiKey}`,
          raw: { apiKey },
        },
      }),
    }
    const path = await journalPath()
    const journal = await createFileJournal(path)
    const { logger, logs } = recordingLogger()
    const orchestrator = createOrchestrator({
      accounts: { [ACCOUNT]: leaky },
      clock,
      journal,
      logger,
    })
    const payment = await orchestrator.sale(sale(1250))
    const outcome = await drive(clock, payment.outcome)
    expect(outcome.status).toBe('failed')
    await orchestrator.close()
    const seen = [shown(outcome), shown(logs), await readFile(path, 'utf8')].join('\n')
    expect(seen).toContain('refused for')
    expect(seen).not.toContain(apiKey)
  })
})
