import type { Clock } from '@tillkit/core'
import { BufferedResponse, jsonResponse, route, type RouteSpec } from '@tillkit/core/fake'
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
  return jsonResponse(status, problemBody(status, detail, invalidFields))
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

type Operation = 'sync' | 'async' | 'status' | 'connectedDevices' | 'connectedTerminals'

interface Route extends RouteSpec {
  operation: Operation
}

const DEVICE_PATH = '/v1/merchants/:merchantAccount/devices/:deviceId'

/** Both transports: the Cloud device API under `/v1`, the legacy endpoints at the root. */
const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: `${DEVICE_PATH}/sync`, operation: 'sync' },
  { method: 'POST', pattern: `${DEVICE_PATH}/async`, operation: 'async' },
  { method: 'GET', pattern: `${DEVICE_PATH}/status`, operation: 'status' },
  {
    method: 'GET',
    pattern: '/v1/merchants/:merchantAccount/connectedDevices',
    operation: 'connectedDevices',
  },
  { method: 'POST', pattern: '/sync', operation: 'sync' },
  { method: 'POST', pattern: '/async', operation: 'async' },
  { method: 'POST', pattern: '/connectedTerminals', operation: 'connectedTerminals' },
]

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
    const found = route(ROUTES, request.method, pathname)
    if (!found) return problem(404, 'No such endpoint.')
    if ('allowed' in found) {
      const response = problem(405, `Use ${found.allowed.join(', ')} here.`)
      response.headers.set('allow', found.allowed.join(', '))
      return response
    }
    const { operation } = found.route
    const { merchantAccount, deviceId } = found.params
    const key = keys.get(request.headers.get('x-api-key') ?? '')
    if (!key) return problem(401)
    if (key.cloudDeviceApiRole === false)
      return problem(403, 'The API credential does not have the Cloud Device API role.')

    if (merchantAccount !== undefined && !mayUse(key, merchantAccount))
      return problem(403, 'The API credential has no access to this merchant account.')

    if (operation === 'connectedDevices') {
      const store = searchParams.get('store') ?? undefined
      return jsonResponse(200, { uniqueDeviceIds: online(model, merchantAccount!, store) })
    }

    /** The device, when it exists and (given an account) belongs to it. */
    const owned = (poiId: string, account?: string) => {
      const device = model.devices.get(poiId)
      return device && (account === undefined || device.merchantAccount === account)
        ? device
        : undefined
    }
    const pathDevice = deviceId === undefined ? undefined : owned(deviceId, merchantAccount)
    if (deviceId !== undefined) {
      if (!pathDevice) return problem(403, 'The device is not in this merchant account.')
      if (operation === 'status')
        return jsonResponse(200, {
          deviceId: pathDevice.poiId,
          status: pathDevice.online ? 'ONLINE' : 'OFFLINE',
        })
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
      return jsonResponse(200, { uniqueTerminalIds: ids })
    }

    const header = (body as { SaleToPOIRequest?: { MessageHeader?: Partial<Header> } } | null)
      ?.SaleToPOIRequest?.MessageHeader
    if (typeof header !== 'object' || header === null || typeof header.POIID !== 'string')
      return problem(
        400,
        'The body must be a SaleToPOIRequest with a MessageHeader naming the POIID.',
        [{ name: 'SaleToPOIRequest.MessageHeader.POIID', value: '', message: 'is required' }],
      )
    // A response is named after the category (`<Category>Response`): without one there is nothing to name it
    // by, so the message is refused like one without a POIID.
    if (typeof header.MessageCategory !== 'string')
      return problem(400, 'The MessageHeader must name the MessageCategory.', [
        {
          name: 'SaleToPOIRequest.MessageHeader.MessageCategory',
          value: String(header.MessageCategory ?? ''),
          message: 'is required',
        },
      ])
    // TransactionStatus is answered on /sync only, even for an integration that uses /async. What the
    // cloud does with one on /async is not documented: the fake refuses it, so a test catches the mistake.
    if (operation === 'async' && header.MessageCategory === 'TransactionStatus')
      return problem(400, 'TransactionStatus must be sent to a /sync endpoint.', [
        {
          name: 'SaleToPOIRequest.MessageHeader.MessageCategory',
          value: 'TransactionStatus',
          message: 'is answered on /sync only',
        },
      ])
    let target = pathDevice
    if (target) {
      if (header.POIID !== target.poiId)
        return problem(400, 'The POIID must be the device id of the path.', [
          {
            name: 'SaleToPOIRequest.MessageHeader.POIID',
            value: header.POIID,
            message: `must equal the device id ${target.poiId}`,
          },
        ])
    } else {
      target = owned(header.POIID)
      if (!target || !mayUse(key, target.merchantAccount))
        return problem(403, 'The terminal is not in a merchant account of this credential.')
    }
    const answer = await model.handle(
      body as Parameters<AdyenModel['handle']>[0],
      target!,
      operation as 'sync' | 'async',
      request.signal,
    )
    return respond(answer, deviceId === undefined ? 'legacy' : 'device-api')
  }
}

/**
 * An answer as each transport words it. The acknowledgement of `/async` is `ok`: on the Cloud device API as the JSON
 * string its specification types (`application/json`), on the legacy endpoints as plain text (what Adyen's library
 * reads there).
 */
function respond(answer: Answer, transport: 'device-api' | 'legacy'): Response {
  if ('json' in answer) return jsonResponse(200, answer.json)
  if ('accepted' in answer)
    return transport === 'device-api'
      ? jsonResponse(200, 'ok')
      : new BufferedResponse('ok', { status: 200, headers: { 'content-type': 'text/plain' } })
  return new Response(null, { status: 200 })
}

/** Ids of a merchant account's online devices, optionally of one store. */
function online(model: AdyenModel, merchantAccount: string, store: string | undefined): string[] {
  return [...model.devices.values()]
    .filter((d) => d.merchantAccount === merchantAccount && d.online)
    .filter((d) => store === undefined || d.store === store)
    .map((d) => d.poiId)
}
