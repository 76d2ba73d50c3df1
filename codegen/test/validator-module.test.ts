import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatIssue, generate, type Generator } from '../src/index.js'
import { runCli } from '../src/run.js'
import { readTree, useTempRepos, writeFiles } from './fixtures.js'

const createRepo = useTempRepos()

const DIALECT = 'https://json-schema.org/draft/2020-12/schema'
const json = (value: unknown) => JSON.stringify(value, null, 2)

/** A fragment whose `Pence` has a bound no other schema uses, so its code can be counted. */
const COMMON = {
  $schema: DIALECT,
  $defs: {
    Pence: { type: 'integer', minimum: 1, maximum: 4321 },
    Money: {
      type: 'object',
      required: ['amount'],
      additionalProperties: false,
      properties: { amount: { $ref: '#/$defs/Pence' } },
    },
  },
}

/** A message in `ws/<sub>/` holding `property` as a reference to the fragment's `Money`. */
const message = (property: string, extra: Record<string, unknown> = {}) =>
  json({
    $schema: DIALECT,
    type: 'object',
    required: [property],
    properties: { [property]: { $ref: '../../common.defs.json#/$defs/Money' } },
    ...extra,
  })

interface Validator {
  (data: unknown): boolean
  errors?: { instancePath: string; keyword: string }[] | null
}

async function importModule(root: string, file: string): Promise<Record<string, Validator>> {
  const url = pathToFileURL(path.join(root, 'packages/alpha/src/generated', file)).href
  return (await import(url)) as Record<string, Validator>
}

const occurrences = (text: string, needle: string) => text.split(needle).length - 1

describe('one validator module per schema folder', { timeout: 30_000 }, () => {
  it('compiles a definition several messages share once and still validates each message', async () => {
    const root = await createRepo({
      'schemas/alpha/common.defs.json': json(COMMON),
      'schemas/alpha/ws/pac/sale.schema.json': message('total'),
      'schemas/alpha/ws/pac/refund.schema.json': message('refunded'),
      'schemas/alpha/ws/pat/bill.schema.json': message('due'),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors).toEqual([])
    const validators = result.files.filter((file) => /validat/.test(file.path))
    expect(validators.map((file) => file.path)).toEqual([
      'packages/alpha/src/generated/ws/pac/refund.validate.ts',
      'packages/alpha/src/generated/ws/pac/sale.validate.ts',
      'packages/alpha/src/generated/ws/pat/bill.validate.ts',
      'packages/alpha/src/generated/ws/validators.ts',
    ])

    const shared = await readFile(
      path.join(root, 'packages/alpha/src/generated/ws/validators.ts'),
      'utf8',
    )
    // Three messages reach Pence through Money; its bound and Money's check are written once.
    expect(occurrences(shared, 'limit: 4321')).toBe(1)
    expect(occurrences(shared, 'additionalProperty: key0')).toBe(1)
    // The header names every schema compiled into the module, the fragment included.
    expect(shared).toContain(
      [
        ' * Sources:',
        ' *   schemas/alpha/common.defs.json',
        ' *   schemas/alpha/ws/pac/refund.schema.json',
        ' *   schemas/alpha/ws/pac/sale.schema.json',
        ' *   schemas/alpha/ws/pat/bill.schema.json',
      ].join('\n'),
    )

    // Importing through the one-line modules, as packages do.
    const { validateSale } = await importModule(root, 'ws/pac/sale.validate.ts')
    const { validateBill } = await importModule(root, 'ws/pat/bill.validate.ts')
    expect(validateSale!({ total: { amount: 4321 } })).toBe(true)
    expect(validateSale!({ total: { amount: 4322 } })).toBe(false)
    expect(validateSale!.errors).toEqual([
      expect.objectContaining({ instancePath: '/total/amount', keyword: 'maximum' }),
    ])
    expect(validateBill!({ due: { amount: 1 } })).toBe(true)
    expect(validateBill!({ due: { amount: 1, tip: 2 } })).toBe(false)
    expect(validateBill!.errors).toEqual([
      expect.objectContaining({ instancePath: '/due', keyword: 'additionalProperties' }),
    ])
    expect(validateBill!({ total: { amount: 1 } })).toBe(false)
    expect(validateBill!.errors).toEqual([expect.objectContaining({ keyword: 'required' })])
  })

  it('is byte-identical on rerun and whatever order the files were written in', async () => {
    const files = {
      'schemas/alpha/common.defs.json': json(COMMON),
      'schemas/alpha/ws/pac/sale.schema.json': message('total'),
      'schemas/alpha/ws/pat/bill.schema.json': message('due'),
      'packages/alpha/': '',
    }
    const first = await createRepo(files)
    const reversed = await createRepo(Object.fromEntries(Object.entries(files).reverse()))
    expect((await generate({ root: first })).errors).toEqual([])
    expect((await generate({ root: reversed })).errors).toEqual([])
    const tree = await readTree(first)
    expect(await readTree(reversed)).toEqual(tree)
    const again = await generate({ root: first })
    expect(again.files.every((file) => file.status === 'unchanged')).toBe(true)
    expect(await readTree(first)).toEqual(tree)
  })

  it('--check names the shared module when only it would change', async () => {
    const root = await createRepo({
      'schemas/alpha/common.defs.json': json(COMMON),
      'schemas/alpha/ws/pac/sale.schema.json': message('total'),
      'packages/alpha/': '',
    })
    expect((await generate({ root })).errors).toEqual([])
    const shared = 'packages/alpha/src/generated/ws/validators.ts'
    const original = await readFile(path.join(root, shared), 'utf8')
    await writeFiles(root, { [shared]: original.replace('limit: 4321', 'limit: 9999') })

    const stderr: string[] = []
    const io = { defaultRoot: root, stdout: () => undefined, stderr: (l: string) => stderr.push(l) }
    expect(await runCli(['--check'], io)).toBe(1)
    expect(stderr).toEqual([
      'codegen --check: 1 file out of date; run `pnpm codegen`:',
      `  would change  ${shared}`,
    ])
    expect(await runCli([], io)).toBe(0)
    expect(await readFile(path.join(root, shared), 'utf8')).toBe(original)
  })

  it('tells apart messages of one folder with the same type name, each keeping its name', async () => {
    const root = await createRepo({
      'schemas/alpha/common.defs.json': json(COMMON),
      'schemas/alpha/ws/pac/report.schema.json': message('total'),
      'schemas/alpha/ws/pat/report.schema.json': message('due'),
      'schemas/alpha/top.schema.json': json({ type: 'string', maxLength: 2 }),
      'packages/alpha/': '',
    })
    expect((await generate({ root })).errors).toEqual([])
    const pac = await importModule(root, 'ws/pac/report.validate.ts')
    const pat = await importModule(root, 'ws/pat/report.validate.ts')
    expect(pac.validateReport!({ total: { amount: 5 } })).toBe(true)
    expect(pac.validateReport!({ due: { amount: 5 } })).toBe(false)
    expect(pat.validateReport!({ due: { amount: 5 } })).toBe(true)
    const shared = await importModule(root, 'ws/validators.ts')
    expect(Object.keys(shared).sort()).toEqual(['validatePacReport', 'validatePatReport'])
    const tree = await readTree(root)
    expect(tree['packages/alpha/src/generated/ws/pat/report.validate.ts']).toContain(
      "export { validatePatReport as validateReport, type ValidationError } from '../validators.js'",
    )
    // A schema directly in the provider folder gets the provider's own module.
    const { validateTop } = await importModule(root, 'top.validate.ts')
    expect(validateTop!('ab')).toBe(true)
    expect(validateTop!('abc')).toBe(false)
    expect(tree['packages/alpha/src/generated/validators.ts']).toContain(
      'Source: schemas/alpha/top.schema.json',
    )
  })

  it('reports two validators that would still have one name', async () => {
    // Both `c` files are told apart by path (`validateABC`, `validateBC`); the second meets `b-c`.
    const root = await createRepo({
      'schemas/alpha/ws/a/b-c.schema.json': json({ type: 'string' }),
      'schemas/alpha/ws/a-b/c.schema.json': json({ type: 'string' }),
      'schemas/alpha/ws/b/c.schema.json': json({ type: 'string' }),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors.map(formatIssue)).toEqual([
      'schemas/alpha/ws/b/c.schema.json: its validator would be exported as validateBC, like the one of schemas/alpha/ws/a/b-c.schema.json; rename one of the files',
    ])
  })

  it('requires one dialect per folder', async () => {
    const root = await createRepo({
      'schemas/alpha/ws/new.schema.json': json({ $schema: DIALECT, type: 'string' }),
      'schemas/alpha/ws/old.schema.json': json({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'string',
      }),
      'packages/alpha/': '',
    })
    const result = await generate({ root })
    expect(result.errors.map(formatIssue)).toEqual([
      'schemas/alpha/ws/old.schema.json#/$schema: uses draft-07, but schemas/alpha/ws/new.schema.json in the same folder uses 2020-12; the schemas of a folder share one validator module and must use one dialect',
    ])
  })

  it('names the schema at fault when a folder does not compile', async () => {
    const withId = (type: string) =>
      json({
        type: 'object',
        properties: { a: { $ref: '#/$defs/A' } },
        $defs: { A: { $id: 'a.json', type } },
      })
    const root = await createRepo({
      'schemas/alpha/ws/good.schema.json': json({ type: 'string' }),
      'schemas/alpha/ws/strict.schema.json': json({ type: 'object', colour: 'red' }),
      'packages/alpha/': '',
    })
    expect((await generate({ root })).errors.map(formatIssue)).toEqual([
      'schemas/alpha/ws/strict.schema.json: Ajv cannot compile the schema: strict mode: unknown keyword: "colour"',
    ])
    // One Ajv instance holds the folder: two schemas may not claim one `$id`.
    await writeFiles(root, {
      'schemas/alpha/ws/strict.schema.json': withId('string'),
      'schemas/alpha/ws/twin.schema.json': withId('integer'),
    })
    const [issue, ...others] = (await generate({ root })).errors.map(formatIssue)
    expect(others).toEqual([])
    expect(issue).toBe(
      'schemas/alpha/ws/twin.schema.json: Ajv cannot compile the schema: schema with key or id "a.json" already exists',
    )
  })

  it('resolves references into files whose definitions cannot stand alone', async () => {
    // `#/$defs/Pair/items/0` is a pointer below a definition: that file's definitions are not
    // compiled on their own, and every reference into it still resolves where it points.
    const root = await createRepo({
      'schemas/alpha/pair.defs.json': json({
        $schema: DIALECT,
        $defs: {
          Pair: {
            type: 'array',
            minItems: 2,
            items: false,
            prefixItems: [{ type: 'string' }, { type: 'integer' }],
          },
          Name: { $ref: '#/$defs/Pair/prefixItems/0' },
        },
      }),
      // A definition with an `$id` of its own is not registered a second time either.
      'schemas/alpha/ided.defs.json': json({
        $schema: DIALECT,
        $defs: { Code: { $id: 'code.json', type: 'string', maxLength: 3 } },
      }),
      'schemas/alpha/ws/named.schema.json': json({
        $schema: DIALECT,
        type: 'object',
        properties: {
          name: { $ref: '../pair.defs.json#/$defs/Name' },
          pair: { $ref: '../pair.defs.json#/$defs/Pair' },
          code: { $ref: '../ided.defs.json#/$defs/Code' },
        },
      }),
      'packages/alpha/': '',
    })
    expect((await generate({ root })).errors).toEqual([])
    const { validateNamed } = await importModule(root, 'ws/named.validate.ts')
    expect(validateNamed!({ name: 'x', pair: ['a', 1] })).toBe(true)
    expect(validateNamed!({ name: 1 })).toBe(false)
    expect(validateNamed!.errors).toEqual([
      expect.objectContaining({ instancePath: '/name', keyword: 'type' }),
    ])
    expect(validateNamed!({ pair: ['a', 'b'] })).toBe(false)
    expect(validateNamed!({ code: 'GBP' })).toBe(true)
    expect(validateNamed!({ code: 'GBPX' })).toBe(false)
  })

  it('names the folder when a generator fails on a whole folder', async () => {
    const broken: Generator = {
      name: 'broken',
      claim: (fileName) => /^(.+)\.broken$/.exec(fileName)?.[1],
      folderOf: (source) => path.posix.dirname(source.path),
      generate: () => Promise.reject(new Error('boom')),
    }
    const root = await createRepo({
      'schemas/alpha/ws/a.broken': '',
      'schemas/alpha/ws/b.broken': '',
      'schemas/alpha/one/c.broken': '',
      'packages/alpha/': '',
    })
    const result = await generate({ root, generators: [broken] })
    expect(result.errors.map(formatIssue)).toEqual([
      'schemas/alpha/one/c.broken: broken generator failed: boom',
      'schemas/alpha/ws: broken generator failed: boom',
    ])
  })
})
