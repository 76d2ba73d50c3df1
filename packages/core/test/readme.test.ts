import { describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from './readme-examples.js'

const README = new URL('../README.md', import.meta.url)
const EXAMPLES = ['transport', 'redaction', 'clock', 'assertions', 'rule-tables']

describe('README examples', () => {
  it('type-check against the public API', async () => {
    const examples = EXAMPLES.map((name) => readExample(README, name))
    expect(await typecheckExamples(...examples)).toEqual([])
  })

  it('transport: retries the GET after Retry-After, sends the POST once and reports an unknown outcome', async () => {
    const logs = await runExample(readExample(README, 'transport'))
    const retries = logs.filter((l) => l.level === 'warn')
    expect(retries).toEqual([
      expect.objectContaining({
        text: expect.stringContaining('tillkit retry'),
        value: expect.objectContaining({ method: 'GET', attempt: 1, reason: 503, delayMs: 2000 }),
      }),
    ])
    // One debug line per attempt: two GETs and one POST.
    expect(logs.filter((l) => l.level === 'debug').map((l) => l.value)).toEqual([
      expect.objectContaining({ method: 'GET', attempt: 1, status: 503 }),
      expect.objectContaining({ method: 'GET', attempt: 2, status: 200 }),
      expect.objectContaining({ method: 'POST', attempt: 1, error: 'TIMEOUT' }),
    ])
  })

  it.each(EXAMPLES.slice(1))('%s: prints what the README says', async (name) => {
    const logs = await runExample(readExample(README, name))
    expect(logs.length).toBeGreaterThan(0)
  })
})
