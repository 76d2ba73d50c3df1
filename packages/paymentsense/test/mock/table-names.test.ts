/**
 * Odd but well-formed JSON bodies from a POS's own HTTP code must get a 422 with a
 * userMessage, never a crash (a rejected `cloud.fetch`, a 500 behind MSW, a reset over a port).
 */
import { describe, expect, it } from 'vitest'
import { harness, pat } from './helpers.js'

describe('table names', () => {
  it.each([
    ['a lone high surrogate', '"\\ud800"'],
    ['a lone low surrogate after text', '"12\\udc00"'],
  ])(
    'a table name with %s is refused with a 422, not a crash, and no table is left behind',
    async (_, name) => {
      const h = harness()
      const body = `{"tableName":${name},"amount":500,"currency":"GBP"}`
      // FACTS.md l.191 (and l.105): a bad creation body is a 422 with a userMessage.
      const answer = await h.call(pat('PUT', '/pat/tables', { body }))
      expect(answer.status).toBe(422)
      expect(answer.body.userMessage).toMatch(/tableName/)
      expect(h.cloud.tables.list()).toEqual([])
      expect((await h.call(pat('GET', '/pat/tables'))).body.tables).toEqual([])
    },
  )

  it('a table name with any well-formed Unicode (accents, emoji, slash, percent) is created and addressable', async () => {
    const h = harness()
    for (const tableName of ['café 7', 'terrace 🌞', 'a/b', '50%']) {
      const created = await h.call(
        pat('PUT', '/pat/tables', { body: { tableName, amount: 500, currency: 'GBP' } }),
      )
      expect(created.status).toBe(201)
      const got = await h.call(pat('GET', new URL(created.body.location).pathname))
      expect(got.body.tableName).toBe(tableName)
    }
  })
})
