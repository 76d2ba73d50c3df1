import { createManualClock } from '@tillkit/core'
import { createPaymentsenseClient } from '@tillkit/paymentsense'
import { createFakeCloud } from '@tillkit/paymentsense/mock'
import { serve } from '@tillkit/simulator'
const mode = process.argv[2]
const clock = createManualClock()
const cloud = createFakeCloud({ clock, requestSpacingMs: 0, apiKeys: ['k'] })
const server = await serve(cloud.fetch)
const c = createPaymentsenseClient({
  account: 'b',
  environment: 'test',
  baseUrl: server.url,
  apiKey: 'k',
  softwareHouseId: 'S',
  installerId: 'I',
  minIntervalMs: 0,
})
const headers = {
  Authorization: `Basic ${btoa('p:k')}`,
  Accept: 'application/connect.v2+json',
  'Software-House-Id': 'S',
  'Installer-Id': 'I',
}
const u0 = process.cpuUsage()
const t0 = performance.now()
for (let i = 0; i < 6000; i++) {
  if (mode === 'typed')
    c.transport.ok(
      await c.pac.GET('/pac/terminals/{tid}', { params: { path: { tid: '22160001' } } }),
    )
  else if (mode === 'signal') {
    const r = await fetch(`${server.url}/pac/terminals/22160001`, {
      headers,
      signal: new AbortController().signal,
    })
    if (!r.ok) throw 1
    JSON.parse(await r.text())
  } else if (mode === 'transport') {
    const r = await c.transport.fetch(
      new Request(`${server.url}/pac/terminals/22160001`, { headers }),
    )
    if (!r.ok) throw 1
    JSON.parse(await r.text())
  } else if (mode === 'timer') {
    const ac = new AbortController()
    const t = setTimeout(() => ac.abort(), 30000)
    const r = await fetch(`${server.url}/pac/terminals/22160001`, { headers, signal: ac.signal })
    clearTimeout(t)
    if (!r.ok) throw 1
    JSON.parse(await r.text())
  } else if (mode === 'req') {
    const r = await fetch(
      new Request(`${server.url}/pac/terminals/22160001`, {
        headers,
        signal: new AbortController().signal,
      }),
    )
    if (!r.ok) throw 1
    JSON.parse(await r.text())
  } else if (mode === 'req2') {
    const r0 = new Request(`${server.url}/pac/terminals/22160001`, { headers })
    const r = await fetch(
      new Request(r0.url, { headers: r0.headers, signal: new AbortController().signal }),
    )
    if (!r.ok) throw 1
    JSON.parse(await r.text())
  } else {
    const r = await fetch(`${server.url}/pac/terminals/22160001`, { headers })
    if (!r.ok) throw 1
    JSON.parse(await r.text())
  }
}
const u = process.cpuUsage(u0)
console.log(
  mode,
  'wall µs/req',
  (((performance.now() - t0) / 6000) * 1000).toFixed(0),
  'cpu µs/req',
  ((u.user + u.system) / 6000).toFixed(0),
)
await server.close()
