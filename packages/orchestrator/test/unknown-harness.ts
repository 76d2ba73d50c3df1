/** What the unknown-name tests share: secrets that must appear in no error, and a network that records what leaves. */
/** What a misspelt `apiKey` would hold: it must appear in no error. */
export const SECRET = `sk_live_${crypto.randomUUID()}`
export const KEY = `test_${crypto.randomUUID()}`

/** Everything that could leave: requests made and sockets opened. */
export function network() {
  const sent: string[] = []
  const fetch = async (request: Request) => (sent.push(request.url), new Response('{}'))
  class WebSocket {
    constructor(url: string) {
      sent.push(url)
    }
    readyState = 0
    send() {}
    close() {}
    addEventListener() {}
  }
  return { sent, fetch, WebSocket }
}
export type Network = ReturnType<typeof network>

export const PAYMENTSENSE = {
  account: 'acme',
  environment: 'test',
  apiKey: KEY,
  softwareHouseId: 'SWH',
  installerId: 'INST',
} as const
