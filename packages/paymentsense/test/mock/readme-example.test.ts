import { expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from '../../../core/test/readme-examples.js'

const README = new URL('../../README.md', import.meta.url)

it('the fake-cloud README example type-checks and prints what its comments say', async () => {
  const example = readExample(README, 'fake-cloud')
  expect(await typecheckExamples(example)).toEqual([])
  const logs = await runExample(example)
  expect(logs.map((l) => l.text)).toEqual(['SUCCESSFUL', '1 sale 1250 SUCCESSFUL'])
}, 60_000)
