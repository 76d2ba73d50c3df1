import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { readExample, runExample, typecheckExamples } from './readme-examples.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const written: string[] = []

/** A README with the given lines, inside this package (so `@tillkit/core` resolves). */
function readme(...lines: string[]): string {
  const path = `${here}.fixture-${crypto.randomUUID()}.md`
  writeFileSync(path, lines.join('\n'))
  written.push(path)
  return path
}

/** Temporary example files of one example name still on disk. */
const leftovers = (name: string) =>
  readdirSync(packageDir).filter((f) => f.startsWith(`.readme-${name}-`))

afterEach(() => {
  for (const path of written.splice(0)) rmSync(path, { force: true })
})

describe('readExample', () => {
  it('joins the blocks of an example in README order, keeps their line numbers, ignores unmarked blocks', () => {
    const path = readme(
      '# Title', //                      1
      '```ts', //                        2
      'notAnExample()', //               3
      '```', //                          4
      '<!-- example: a -->', //          5
      '', //                             6
      '```ts', //                        7
      'const x = 1', //                  8
      '```', //                          9
      '<!-- example: b -->', //          10
      '```ts', //                        11
      'other()', //                      12
      '```', //                          13
      '<!-- example: a -->', //          14
      '```typescript', //                15
      'console.log(x)', //               16
      '```', //                          17
    )
    expect(readExample(path, 'a')).toMatchObject({
      code: 'const x = 1\nconsole.log(x)',
      lines: [8, 16],
      packageDir: packageDir.replace(/\/$/, ''),
    })
    expect(readExample(new URL(`file://${path}`), 'b', 'a').code).toBe(
      'other()\nconst x = 1\nconsole.log(x)',
    )
  })

  it('refuses an unknown example name', () => {
    const path = readme('<!-- example: a -->', '```ts', 'x()', '```')
    expect(() => readExample(path, 'missing')).toThrow(/no example named "missing"/)
  })

  it('refuses a marker that is not followed by a ts block', () => {
    const path = readme('<!-- example: a -->', '', 'Some prose.', '```ts', 'x()', '```')
    expect(() => readExample(path, 'a')).toThrow(/:3: "example: a" is not followed by a ts block/)
  })
})

describe('runExample', () => {
  it('runs the code as a module, records every console call by level, and removes its file', async () => {
    const path = readme(
      '<!-- example: fixture-run -->',
      '```ts',
      "console.log('a', 1)",
      "console.warn({ n: 2 }, 'w')",
      'console.log(2 + 2) // → 4',
      '```',
    )
    const logs = await runExample(readExample(path, 'fixture-run'))
    expect(logs).toEqual([
      { level: 'log', text: 'a 1', value: 'a' },
      { level: 'warn', text: '{ n: 2 } w', value: { n: 2 } },
      { level: 'log', text: '4', value: 4 },
    ])
    expect(leftovers('fixture-run')).toEqual([])
  })

  it('fails when a check prints something else, naming the README line', async () => {
    const path = readme(
      '<!-- example: fixture-mismatch -->',
      '```ts',
      'const total = 1 + 1',
      'console.log(total) // → 3',
      '```',
    )
    const run = runExample(readExample(path, 'fixture-mismatch'))
    await expect(run).rejects.toThrow(/\.md:4: printed "2", the README says "3"/)
    expect(leftovers('fixture-mismatch')).toEqual([])
  })

  it('fails when a check never runs', async () => {
    const path = readme(
      '<!-- example: fixture-unrun -->',
      '```ts',
      'export const never = () => {',
      '  console.log(1) // → 1',
      '}',
      '```',
    )
    await expect(runExample(readExample(path, 'fixture-unrun'))).rejects.toThrow(
      /\.md:4: this check never ran/,
    )
  })

  it('passes on what the example throws', async () => {
    const path = readme(
      '<!-- example: fixture-throws -->',
      '```ts',
      "throw new Error('boom')",
      '```',
    )
    await expect(runExample(readExample(path, 'fixture-throws'))).rejects.toThrow('boom')
    expect(leftovers('fixture-throws')).toEqual([])
  })
})

describe('typecheckExamples', () => {
  it('compiles with the package tsconfig and reports errors at README lines', async () => {
    const path = readme(
      '<!-- example: fixture-types -->',
      '```ts',
      "import { createTransport } from '@tillkit/core'",
      'createTransport({ timeoutMs: 1 })',
      'createTransport({ timeout: 1 })',
      '```',
    )
    const errors = await typecheckExamples(readExample(path, 'fixture-types'))
    expect(errors).toEqual([expect.stringMatching(/\.md:5: .*'timeout' does not exist/)])
    expect(leftovers('fixture-types')).toEqual([])
  })

  it('checks several examples in one program, each error at its own README line', async () => {
    const path = readme(
      '<!-- example: fixture-ok -->',
      '```ts',
      'export const n: number = 1',
      '```',
      '<!-- example: fixture-bad -->',
      '```ts',
      "export const n: number = 'one'",
      '```',
    )
    const errors = await typecheckExamples(
      readExample(path, 'fixture-ok'),
      readExample(path, 'fixture-bad'),
    )
    expect(errors).toEqual([expect.stringMatching(/\.md:7: Type 'string' is not assignable/)])
  })

  it('refuses examples of different packages', () => {
    const here = readExample(readme('<!-- example: a -->', '```ts', 'x()', '```'), 'a')
    const elsewhere = { ...here, packageDir: '/elsewhere' }
    expect(() => typecheckExamples(here, elsewhere)).toThrow(/same package/)
    expect(() => typecheckExamples()).toThrow(/same package/)
  })
})
