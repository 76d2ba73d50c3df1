import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { Server } from 'node:net'
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

/** Where a leaking fixture example leaves what it opened, for `afterEach` to close it. */
const LEAK = '__tillkitFixtureLeak'

afterEach(() => {
  for (const path of written.splice(0)) rmSync(path, { force: true })
  const leak = Reflect.get(globalThis, LEAK)
  if (leak instanceof Server) leak.close()
  else clearInterval(leak)
  Reflect.deleteProperty(globalThis, LEAK)
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

  it('fails an example that leaves a timer running, blaming it for its own timers only', async () => {
    // Timers the example did not make: an interval held throughout, and one that ends during the grace (as vitest's
    // 100 ms task-update timer does). Neither is blamed, and the ending one does not hide the example's.
    const own = setInterval(() => {}, 1000)
    setTimeout(() => {}, 50)
    try {
      const path = readme(
        '<!-- example: fixture-interval -->',
        '```ts',
        "console.log('polling') // → polling",
        `;(globalThis as any).${LEAK} = setInterval(() => {}, 1000)`,
        '```',
      )
      await expect(runExample(readExample(path, 'fixture-interval'))).rejects.toThrow(
        /(?:^|\/)test\/\.fixture-[\w-]+\.md \(example "fixture-interval"\): after its code finished it still holds 1 × Timeout \(a setInterval every 1000 ms\): a Node process holding them does not exit, so a user's script would hang\./,
      )
      expect(leftovers('fixture-interval')).toEqual([])
    } finally {
      clearInterval(own)
    }
  })

  it('fails an example that leaves a server listening', async () => {
    const path = readme(
      '<!-- example: fixture-server -->',
      '```ts',
      "import { createServer } from 'node:net'",
      `;(globalThis as any).${LEAK} = createServer().listen(0)`,
      '```',
    )
    await expect(runExample(readExample(path, 'fixture-server'))).rejects.toThrow(
      /\(example "fixture-server"\): .* holds 1 × TCPSERVERWRAP \(a listening server\): /,
    )
  })

  it('passes an example that closes what it opened, even if the closes land after its code ends', async () => {
    // A server, a connection to it, a timer: closed without waiting, so the handles go a loop turn or two after the
    // module finished. An unref'd interval does not hold a process, so it is no leak.
    const path = readme(
      '<!-- example: fixture-clean -->',
      '```ts',
      "import { once } from 'node:events'",
      "import { connect, createServer, type AddressInfo } from 'node:net'",
      "const server = createServer((socket) => socket.end('hi')).listen(0, '127.0.0.1')",
      "await once(server, 'listening')",
      "const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')",
      "const [data] = await once(socket, 'data')",
      'console.log(String(data)) // → hi',
      'const timer = setInterval(() => {}, 1000)',
      `;(globalThis as any).${LEAK} = setInterval(() => {}, 1000).unref()`,
      'clearInterval(timer)',
      'socket.destroy()',
      'server.close()',
      '```',
    )
    expect(await runExample(readExample(path, 'fixture-clean'))).toHaveLength(1)
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
