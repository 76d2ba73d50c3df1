import { describe, expect, it } from 'vitest'
import { indentByBraces } from '../src/print.js'

describe('indentByBraces', () => {
  it('indents by block, four spaces a level, a closing line at the outer level', () => {
    const code = [
      'function f(a){',
      'if(a){',
      'return 1;',
      '}',
      'else {',
      'g({',
      'x:1',
      '});',
      '}',
      '}',
    ].join('\n')
    expect(indentByBraces(code).split('\n')).toEqual([
      'function f(a){',
      '    if(a){',
      '        return 1;',
      '    }',
      '    else {',
      '        g({',
      '            x:1',
      '        });',
      '    }',
      '}',
    ])
  })

  it('does not count braces inside strings, escaped quotes or comments', () => {
    const code = [
      'if(x){',
      'e = {message:"must match pattern \\"^[0-9]{4}$\\"", q:\'{\'};',
      '/*# sourceURL="a{b" */;',
      'y = 1; // }',
      '}',
      'z = 2;',
    ].join('\n')
    expect(
      indentByBraces(code)
        .split('\n')
        .map((l) => l.match(/^ */)![0].length),
    ).toEqual([0, 4, 4, 4, 0, 0])
  })

  it('keeps blank lines blank and drops the spaces around lines', () => {
    expect(indentByBraces('a{\n\n   b;  \n}')).toBe('a{\n\n    b;\n}')
  })
})
