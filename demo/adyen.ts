/**
 * The Adyen part of the demo: tillkit's fake Adyen cloud on a loopback HTTP server, driven through the typed client
 * over the Cloud device API as a POS would drive Adyen. The terminal's display notifications travel as real
 * webhooks to a second loopback server, which checks and types them with `parseNotification` and prints them as
 * they arrive. A sale, then a referenced refund (a reversal) of part of it.
 */
import { createAdyenClient, parseNotification, toDecimalText } from '@tillkit/adyen'
import { createFakeCloud } from '@tillkit/adyen/mock'
import { serve } from '@tillkit/simulator'
import { paint, section, step, timeline } from './print.ts'

const POI = 'P400Plus-100000001'
const euros = (cents: number) => `€${toDecimalText(cents, 'EUR')}`

export async function adyenDemo() {
  const cloud = createFakeCloud({ stepMs: 400, apiKeys: ['demo-api-key'] })
  const server = await serve(cloud.fetch)
  // The POS's webhook endpoint: every notification is validated and typed before it is shown.
  let show: (event: string) => void = () => {}
  const webhooks = await serve(async (request) => {
    const note = parseNotification(await request.text())
    if (note.type === 'display') for (const { event } of note.events) show(event)
    else if (note.type === 'event') show(`event ${note.event}`)
    return new Response('[accepted]')
  })
  cloud.notifications.register(`${webhooks.url}/adyen/notifications`)
  const adyen = createAdyenClient({
    apiKey: 'demo-api-key',
    environment: 'test',
    transport: 'device-api',
    merchantAccount: 'TillkitShop',
    baseUrl: `${server.url}/v1`,
  })
  const nexo = adyen.nexo({ saleId: 'demo-till' })
  console.log(
    paint.bold('tillkit demo') +
      paint.dim(`  fake Adyen cloud (Cloud device API) on ${server.url}`),
  )

  try {
    section('Adyen terminals with a cloud connection')
    for (const id of await adyen.connectedDevices()) step(id, await adyen.deviceStatus(id))

    section(`A sale: ${euros(1250)} on ${POI}, the terminal's progress arriving by webhook`)
    show = timeline()
    const sale = await adyen.payment(
      nexo.payment({ poiId: POI, amount: 1250, currency: 'EUR', transactionId: 'order-1250' }),
    )
    // The last display notification may still be on its way when the sale's answer arrives.
    await cloud.notifications.settled()
    if (sale.status !== 'approved') throw new Error(`the sale was ${sale.status}`)
    console.log(
      `  ${paint.bold('result')} ${paint.green(sale.status)} ${euros(sale.amount ?? 0)}, ` +
        `Adyen reference ${sale.poiTransaction.TransactionID}`,
    )

    section(`A referenced refund: ${euros(500)} of that sale, back to the same card`)
    step('POS', `ReversalRequest for ${sale.poiTransaction.TransactionID}, no card needed`)
    const refund = await adyen.reversal(
      nexo.reversal({ poiId: POI, original: sale.poiTransaction, amount: 500, currency: 'EUR' }),
    )
    const refunded = refund.status === 'reversed' ? euros(refund.amount ?? 0) : ''
    console.log(`  ${paint.bold('result')} ${paint.green(refund.status)} ${refunded}`)

    section('What reached the acquirer (the fake cloud ledger)')
    for (const entry of cloud.ledger)
      step(entry.poiId, `${entry.kind.padEnd(9)} ${euros(entry.amount)}  ${entry.result}`)
  } finally {
    await server.close()
    await webhooks.close()
  }
}
