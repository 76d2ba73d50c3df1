import { TillkitValidationError } from '@tillkit/core'
import { describe, expect, it } from 'vitest'
import { submitInstruction, waitForInstruction } from '../src/index.js'
import { sale, SERIAL, setup } from './helpers.js'

describe('README claims, checked against the code', () => {
  // README, Long-poll: "reads still start at least `minIntervalMs` apart (an option of `waitForInstruction`, 0 to
  // 60 000, default 1 000)".
  it('minIntervalMs is a waitForInstruction option from 0 to 60 000, checked before any read', async () => {
    const { client, cloud } = setup()
    const { id } = await submitInstruction(client, 'payment', SERIAL, sale(1000))
    const before = cloud.requests.length
    for (const minIntervalMs of [-1, 60_001, 1.5])
      await expect(
        waitForInstruction(client, 'payment', id, { minIntervalMs }),
      ).rejects.toMatchObject({ field: 'minIntervalMs' })
    await expect(
      waitForInstruction(client, 'payment', id, { minIntervalMs: -1 }),
    ).rejects.toBeInstanceOf(TillkitValidationError)
    expect(cloud.requests.length).toBe(before)
    const done = await waitForInstruction(client, 'payment', id, { minIntervalMs: 60_000 })
    expect(done.status).toBe('completed')
  })
})
