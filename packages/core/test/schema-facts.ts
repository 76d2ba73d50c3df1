/**
 * Reading our own schemas in the providers' schema-facts tests (each provider's
 * `test/schema-facts.test.ts` checks its schemas, fake and client rules against the provider's fact
 * sheet, fact by fact). Plain functions over a parsed YAML document; each test parses its files.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A parsed schema document, or a node of one. */
export type Doc = any

/** The node a local `$ref` (`#/a/b~1c`; `#`, the whole document) points at. */
export function pointer(doc: Doc, ref: string): Doc {
  const path = ref.slice(2)
  if (!path) return doc
  return path
    .split('/')
    .reduce((node: Doc, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
}

/** Other files a document's `$ref`s reach (`file.yaml#/…`), parsed, by the name the refs use. */
const FILES = new WeakMap<object, Record<string, Doc>>()

/** Lets {@link resolve} follow `doc`'s references into other files; returns `doc`. */
export function withFiles(doc: Doc, files: Record<string, Doc>): Doc {
  FILES.set(doc, files)
  return doc
}

/**
 * Follows `$ref`s until a node without one. A reference into another file goes to that file (see
 * {@link withFiles}); a local one that `doc` cannot answer (met inside another file) is looked up
 * in the other files.
 */
export function resolve(doc: Doc, node: Doc): Doc {
  const files = FILES.get(doc) ?? {}
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    const [file, local] = node.$ref.split('#')
    const ref = `#${local ?? ''}`
    node = file
      ? pointer(files[file], ref)
      : (pointer(doc, ref) ??
        Object.values(files)
          .map((other) => pointer(other, ref))
          .find((found) => found !== undefined))
  }
  return node
}

/**
 * A copy with every `$ref` replaced by its target (see {@link resolve}), for Ajv: without OpenAPI's
 * `discriminator` and a nested document's `$schema`, which are not validation keywords there.
 */
export function inline(doc: Doc, node: Doc): Doc {
  if (Array.isArray(node)) return node.map((n) => inline(doc, n))
  if (!node || typeof node !== 'object') return node
  if (typeof node.$ref === 'string') return inline(doc, resolve(doc, node))
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'discriminator' && k !== '$schema')
      .map(([k, v]) => [k, inline(doc, v)]),
  )
}

export const schemaOf = (doc: Doc, name: string): Doc => doc.components.schemas[name]

/** Properties of a schema, including those of its `allOf` members. */
export function propertiesOf(doc: Doc, node: Doc): Record<string, Doc> {
  const s = resolve(doc, node)
  return Object.assign(
    {},
    ...(s.allOf ?? []).map((member: Doc) => propertiesOf(doc, member)),
    s.properties ?? {},
  )
}

/** Required properties of a schema, including those of its `allOf` members. */
export function requiredOf(doc: Doc, node: Doc): string[] {
  const s = resolve(doc, node)
  return [
    ...new Set<string>([
      ...(s.required ?? []),
      ...(s.allOf ?? []).flatMap((member: Doc) => requiredOf(doc, member)),
    ]),
  ]
}

export const enumOf = (doc: Doc, node: Doc): string[] => resolve(doc, node)?.enum

/** An OpenAPI operation; throws when the schema has none at that method and path. */
export function operation(doc: Doc, method: string, path: string): Doc {
  const op = doc.paths[path]?.[method.toLowerCase()]
  if (!op) throw new Error(`${method} ${path} is not in the schema`)
  return op
}

/** An operation's parameters, the path item's included, resolved. */
export function parametersOf(doc: Doc, method: string, path: string): Doc[] {
  const item = doc.paths[path]
  return [...(item.parameters ?? []), ...(operation(doc, method, path).parameters ?? [])].map(
    (p: Doc) => resolve(doc, p),
  )
}

/** An operation's responses by status: as written (`ref`) and resolved (`body`). */
export function responsesOf(doc: Doc, method: string, path: string): Record<string, Doc> {
  const responses = operation(doc, method, path).responses
  return Object.fromEntries(
    Object.entries(responses).map(([code, r]) => [code, { ref: r, body: resolve(doc, r) }]),
  )
}

/** Every media type key under `content` anywhere in the document. */
export function mediaTypes(node: Doc, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => mediaTypes(n, found))
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === 'content' && value && typeof value === 'object')
        Object.keys(value).forEach((m) => found.add(m))
      mediaTypes(value, found)
    }
  return found
}

/** Our mark for what the fact sheet calls inferred or unknown. */
export const isUnverified = (node: Doc): boolean => node?.['x-unverified'] === true

export const sorted = (values: Iterable<string>): string[] => [...values].sort()
