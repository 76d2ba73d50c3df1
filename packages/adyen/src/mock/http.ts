import type { Clock } from '@tillkit/core'
import type { Device } from './domain/device.js'
import type { Header } from './domain/messages.js'
import type { AdyenModel, Answer } from './domain/model.js'

/** An API credential the fake accepts. */
export interface ApiKeyConfig {
  key: string
  /** Merchant accounts this key may use; default all. */
  merchantAccounts?: readonly string[]
  /** Whether the credential has the Cloud Device API role; without it every request is 403. Default true. */
  cloudDeviceApiRole?: boolean
}

export interface FrontEndOptions {
  apiKeys: readonly ApiKeyConfig[]
  clock: Clock
}

type InvalidFields = Array<{ name: string; value: string; message: string }>

/** An error answer in Adyen's shape. */
export function problem(status: number, detail?: string, invalidFields?: InvalidFields): Response {
  return json(status, problemBody(status, detail, invalidFields))
}

/** Adyen's error body: an RFC 7807 problem document with `errorCode` and `requestId`. */
export function problemBody(
  status: number,
  detail?: string,
  invalidFields?: InvalidFields,
): object {
  const titles: Record<number, [string, string]> = {
    400: ['Bad Request', 'validation'],
    401: ['Unauthorized', 'unauthorized'],
    403: ['Forbidden', 'forbidden'],
    404: ['Not Found', 'not-found'],
    405: ['Method Not Allowed', 'method-not-allowed'],
  }
  const [title, slug] = titles[status] ?? ['Error', 'general']
  return {
    type: `https://docs.adyen.com/errors/${slug}`,
    title,
    status,
    ...(detail !== undefined && { detail }),
    errorCode: `00_${status}`,
    requestId: requestId(),
    ...(invalidFields && { invalidFields }),
  }
}

let requests = 0
const requestId = () => (++requests).toString(16).padStart(32, '0')

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const DEVICE = /^\/v1\/merchants\/([^/]+)\/devices\/([^/]+)\/(sync|async|status)$/
const CONNECTED = /^\/v1\/merchants\/([^/]+)\/connectedDevices$/
const LEGACY = /^\/(sync|async|connectedTerminals)$/

/**
 * The HTTP front-end of both transports. Checks run in this order: route (404) and method (405), API key (401),
 * role and merchant account (403), device ownership (403), body (400), then the nexo message goes to the model.
 */
export function createFrontEnd(
  model: AdyenModel,
  options: FrontEndOptions,
): (request: Request) => Promise<Response> {
  const keys = new Map(options.apiKeys.map((k) => [k.key, k]))
  const mayUse = (key: ApiKeyConfig, merchantAccount: string) =>
    key.merchantAccounts === undefined || key.merchantAccounts.includes(merchantAccount)

  return async (request) => {
    const { pathname, searchParams } = new URL(request.url)
    const device = DEVICE.exec(pathname)
    const connected = CONNECTED.exec(pathname)
    const legacy = LEGACY.exec(pathname)
    const operation = device?.[3] ?? legacy?.[1] ?? (connected ? 'connectedDevices' : undefined)
    if (!operation) return problem(404, 'No such endpoint.')
    const method = operation === 'status' || operation === 'connectedDevices' ? 'GET' : 'POST'
    if (request.method !== method) {
      const response = problem(405, `Use ${method} here.`)
      response.headers.set('allow', method)
      return response
    }
    const key = keys.get(request.headers.get('x-api-key') ?? '')
    if (!key) return problem(401)
    if (key.cloudDeviceApiRole === false)
      return problem(403, 'The API credential does not have the Cloud Device API role.')

    const merchantAccount = decode(device?.[1] ?? connected?.[1])
    if (merchantAccount !== undefined && !mayUse(key, merchantAccount))
      return problem(403, 'The API credential has no access to this merchant account.')

    if (connected) {
      const store = searchParams.get('store') ?? undefined
      return json(200, { uniqueDeviceIds: online(model, merchantAccount!, store) })
    }

    const owned = (poiId: string | undefined, account: string | undefined) => {
      const found = poiId === undefined ? undefined : model.devices.get(poiId)
      return found && (account === undefined || found.merchantAccount === account)
        ? found
        : undefined
    }
    if (device) {
      const target = owned(decode(device[2]), merchantAccount)
      if (!target) return problem(403, 'The device is not in this merchant account.')
      if (operation === 'status')
        return json(200, { deviceId: target.poiId, status: target.online ? 'ONLINE' : 'OFFLINE' })
    }

    let body: unknown
    try {
      body = JSON.parse(await request.text())
    } catch {
      return problem(400, 'The body is not valid JSON.')
    }

    if (operation === 'connectedTerminals') {
      const account = (body as { merchantAccount?: unknown } | null)?.merchantAccount
      if (typeof account !== 'string' || !account)
        return problem(400, 'merchantAccount is required.', [
          { name: 'merchantAccount', value: String(account ?? ''), message: 'is required' },
        ])
      if (!mayUse(key, account))
        return problem(403, 'The API credential has no access to this merchant account.')
      const { store, uniqueTerminalId } = body as { store?: string; uniqueTerminalId?: string }
      const ids = online(model, account, store).filter(
        (id) => uniqueTerminalId === undefined || id === uniqueTerminalId,
      )
      return json(200, { uniqueTerminalIds: ids })
    }

    const header = (body as { SaleToPOIRequest?: { MessageHeader?: Partial<Header> } } | null)
      ?.SaleToPOIRequest?.MessageHeader
    if (typeof header !== 'object' || header === null || typeof header.POIID !== 'string')
      return problem(
        400,
        'The body must be a SaleToPOIRequest with a MessageHeader naming the POIID.',
        [{ name: 'SaleToPOIRequest.MessageHeader.POIID', value: '', message: 'is required' }],
      )
    let target: Device | undefined
    if (device) {
      target = owned(decode(device[2]), merchantAccount)
      if (header.POIID !== target!.poiId)
        return problem(400, 'The POIID must be the device id of the path.', [
          {
            name: 'SaleToPOIRequest.MessageHeader.POIID',
            value: header.POIID,
            message: `must equal the device id ${target!.poiId}`,
          },
        ])
    } else {
      target = owned(header.POIID, undefined)
      if (!target || !mayUse(key, target.merchantAccount))
        return problem(403, 'The terminal is not in a merchant account of this credential.')
    }
    const answer = await model.handle(
      body as Parameters<AdyenModel['handle']>[0],
      target!,
      operation as 'sync' | 'async',
      request.signal,
    )
    return respond(answer)
  }
}

function respond(answer: Answer): Response {
  if ('json' in answer) return json(200, answer.json)
  if ('text' in answer)
    return new Response(answer.text, { status: 200, headers: { 'content-type': 'text/plain' } })
  return new Response(null, { status: 200 })
}

function decode(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Ids of a merchant account's online devices, optionally of one store. */
function online(model: AdyenModel, merchantAccount: string, store: string | undefined): string[] {
  return [...model.devices.values()]
    .filter((d) => d.merchantAccount === merchantAccount && d.online)
    .filter((d) => store === undefined || d.store === store)
    .map((d) => d.poiId)
}
