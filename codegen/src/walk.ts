import { isObject } from './pointer.js'

/**
 * Keywords whose values are literal data (examples, defaults, enum members), not schema: a `$ref`
 * or `minItems` inside them is part of a payload and must not be interpreted. `examples` is
 * literal in JSON Schema and a map of Example Objects in OpenAPI; examples never affect types.
 */
const LITERAL_KEYWORDS = new Set(['example', 'examples', 'default', 'enum', 'const'])

/**
 * Keywords whose value maps user-chosen names to objects (or, for `dependentRequired` and
 * `dependencies`, to lists of names). Inside such a map, `default`, `enum` or `description` is a
 * name (a `default` response, a property called `enum`), not a keyword.
 */
const NAME_MAPS = new Set([
  'properties',
  'patternProperties',
  'dependentSchemas',
  'dependentRequired',
  'dependencies',
  'definitions',
  '$defs',
  'paths',
  'webhooks',
  'schemas',
  'responses',
  'parameters',
  'requestBodies',
  'headers',
  'securitySchemes',
  'links',
  'callbacks',
  'pathItems',
  'content',
  'encoding',
])

/**
 * Calls `visit` for every object in an OpenAPI or JSON Schema document that can carry keywords,
 * with its path from the root. Literal data and the name maps themselves are not visited; the
 * objects inside a name map are, and so are OpenAPI's Example Objects (not what they hold).
 */
export function walkObjects(
  document: unknown,
  visit: (node: Record<string, unknown>, path: readonly (string | number)[]) => void,
): void {
  const walk = (node: unknown, path: (string | number)[], isNameMap: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, index], false))
      return
    }
    if (!isObject(node)) return
    if (!isNameMap) visit(node, path)
    for (const [key, value] of Object.entries(node)) {
      if (isNameMap) walk(value, [...path, key], false)
      else if (!LITERAL_KEYWORDS.has(key)) walk(value, [...path, key], NAME_MAPS.has(key))
      // OpenAPI's `examples` is a map of Example Objects, any of which may be a `$ref` (JSON
      // Schema's is a list): each is visited, for its `$ref`, but not entered (its `value` is data).
      else if (key === 'examples' && isObject(value))
        for (const [name, example] of Object.entries(value))
          if (isObject(example)) visit(example, [...path, key, name])
    }
  }
  walk(document, [], false)
}
