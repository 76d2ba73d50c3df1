import { describe, expect, it } from 'vitest'
import { toPointer } from '../src/pointer.js'
import { findDanglingRefs } from '../src/refs.js'

const document = {
  paths: {
    '/pac/{tid}': { get: { parameters: [{ name: 'tid' }] } },
    'a~b': { x: 1 },
  },
  components: { schemas: { 'Sale Request': { type: 'object' } } },
}

/** Pointers of the nodes holding dangling refs when `ref` is placed at `/probe`. */
function danglingFor(ref: string): string[] {
  return findDanglingRefs({ ...document, probe: { $ref: ref } }, 'f').map((issue) => issue.pointer!)
}

describe('local $ref resolution', () => {
  it('escapes ~ and / in pointer tokens', () => {
    expect(toPointer(['paths', '/pac/{tid}', 'a~b', 0])).toBe('/paths/~1pac~1{tid}/a~0b/0')
  })

  it('resolves the root, escaped tokens, percent-encoding and array indexes', () => {
    for (const ref of [
      '#',
      '#/paths/~1pac~1{tid}/get',
      '#/paths/~1pac~1%7Btid%7D/get/parameters/0/name',
      '#/paths/a~0b/x',
      '#/components/schemas/Sale%20Request',
    ]) {
      expect(danglingFor(ref), ref).toEqual([])
    }
  })

  it('reports missing keys, bad array indexes and malformed encoding', () => {
    for (const ref of [
      '#/components/schemas/Nope',
      '#/paths/~1pac~1{tid}/get/parameters/1',
      '#/paths/~1pac~1{tid}/get/parameters/01',
      '#/paths/~1pac~1{tid}/get/parameters/name',
      '#/paths/a~b/x',
      '#/components/%E0%A4%A',
      '#/paths/a~0b/x/deeper',
    ]) {
      expect(danglingFor(ref), ref).toEqual(['/probe'])
    }
  })

  it('leaves external references to the tools that load them', () => {
    expect(danglingFor('other.yaml#/Nope')).toEqual([])
  })

  // json-schema-to-typescript cannot follow an anchor and Ajv's strict mode does not know
  // `$anchor`: a `#name` reference is refused whether or not something declares the anchor.
  it('refuses a plain-name anchor, declared by $anchor, $dynamicAnchor or an $id of #name or not', () => {
    for (const declared of [{ $anchor: 'Sale' }, { $dynamicAnchor: 'Sale' }, { $id: '#Sale' }]) {
      const found = findDanglingRefs(
        { $defs: { s: { type: 'object', ...declared } }, probe: { $ref: '#Sale' } },
        'f',
      )
      expect(found, JSON.stringify(declared)).toEqual([
        {
          file: 'f',
          pointer: '/probe',
          message:
            "$ref '#Sale' names an anchor; anchors are not supported: use a JSON pointer (#/...) instead",
        },
      ])
    }
    expect(danglingFor('#Missing')).toEqual(['/probe'])
    expect(danglingFor('#%E0%A4%A')).toEqual(['/probe'])
  })

  it('does not inherit keys from the object prototype', () => {
    expect(danglingFor('#/components/toString')).toEqual(['/probe'])
  })
})
