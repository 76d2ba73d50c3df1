import { describe, expect, it } from 'vitest'
import { chooseScenario, SCENARIO_BY_PENCE, SCENARIOS } from '../../src/mock/index.js'

describe('scenario choice', () => {
  it('picks by the last two digits, defaulting to approve', () => {
    expect(chooseScenario(undefined, 1000)).toBe('approve')
    expect(chooseScenario(undefined, 1099)).toBe('approve')
    expect(chooseScenario(undefined, 5)).toBe('declined-by-card')
    expect(chooseScenario(undefined, 123_404)).toBe('decline')
    expect(chooseScenario(undefined, undefined)).toBe('approve')
  })

  it('lets a pinned scenario win', () => {
    expect(chooseScenario('timeout', 1001)).toBe('timeout')
  })

  it('maps every pence code to a distinct known scenario', () => {
    const chosen = Object.values(SCENARIO_BY_PENCE)
    expect(new Set(chosen).size).toBe(chosen.length)
    expect(chosen.every((s) => SCENARIOS.includes(s))).toBe(true)
    expect(SCENARIOS.filter((s) => !chosen.includes(s))).toEqual(['approve'])
  })
})
