import { expect, it, vi } from 'vitest'
import { orchestratorDemo } from '../orchestrator.ts'

/**
 * `pnpm demo`, its orchestrator part, as a user reads it: the closing section ("What reached the
 * acquirers") must agree with what the demo said was paid. The first guest at table 12 pays £30.00
 * with a £3.00 tip; the acquirer got £33.00.
 */
it('the closing ledger shows what reached the acquirers, a table payment’s tip included', async () => {
  const lines: string[] = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '))
  })
  await orchestratorDemo()
  // Colours off: the text as printed.
  const text = lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))
  expect(text.some((l) => /payment \S+: £30\.00 \+ £3\.00 tip/.test(l))).toBe(true)
  const ledger = text.slice(text.findIndex((l) => l.includes('What reached the acquirers')))
  const tablePayments = ledger.filter((l) => l.includes('table-payment'))
  expect(tablePayments).toHaveLength(2)
  expect(tablePayments[0]).toMatch(/£30\.00 \+ £3\.00 tip SUCCESSFUL/)
})
