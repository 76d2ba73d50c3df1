/**
 * Type-level checks of @tillkit/simulator as a user meets it: every fake cloud plugs into `serve`.
 * Checked by `tsc -p tsconfig.json` (tests are included); at runtime only a no-op `it` runs.
 */
import { expectTypeOf, it } from 'vitest'
import { serve, type RunningServer } from '@tillkit/simulator'
import { createFakeCloud as paymentsenseCloud } from '@tillkit/paymentsense/mock'

it('public types: checked by tsc only', () => {})

export async function valid(): Promise<void> {
  // The unmarked README block (README.md:45), as written.
  const cloud = paymentsenseCloud()
  const server = await serve(cloud.fetch, { sockets: cloud.acceptSocket })
  expectTypeOf(server).toEqualTypeOf<RunningServer>()
  expectTypeOf(server.url).toEqualTypeOf<string>()
  await serve(cloud.fetch, { port: 0, host: '0.0.0.0', maxSocketPayload: 1024 })
  expectTypeOf(server.close()).toEqualTypeOf<Promise<void>>()
}

export async function invalid(): Promise<void> {
  // @ts-expect-error not a handler
  await serve('http://x')
  // @ts-expect-error unknown option
  await serve(paymentsenseCloud().fetch, { prot: 1 })
}
