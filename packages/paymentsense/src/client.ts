import createClient, { type Client } from 'openapi-fetch'
import {
  assertOneOf,
  assertString,
  assertInteger,
  createTransport,
  TillkitValidationError,
  type Clock,
  type LoggerLike,
  type RetryPolicy,
  type Transport,
} from '@tillkit/core'
import type { paths as PacPaths } from './generated/pac-v2.js'
import type { paths as PatPaths } from './generated/pat-v1.js'
import type { WithoutHeaderParams } from './headers.js'
import { bodyChecks } from './rules.js'

export interface PaymentsenseClientOptions {
  /** The account label of your Connect host: `<account>.test.connect.paymentsense.cloud`. */
  account: string
  environment: 'test' | 'live'
  /** The site API key (sent as the Basic auth password; never logged). */
  apiKey: string
  /** Issued by Paymentsense per EPoS product. */
  softwareHouseId: string
  /** Identifies who installed the EPoS. */
  installerId: string
  /** Basic auth username; Connect ignores it but it helps Paymentsense identify the EPoS. Default `tillkit`. */
  username?: string
  /** Overrides the host derived from `account` and `environment` (a proxy, a fake cloud on loopback). */
  baseUrl?: string
  fetch?: (request: Request) => Promise<Response>
  logger?: LoggerLike
  /** Per-request timeout, default 30 s. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy> | false
  /** Connect may enforce 0.1 s between requests per account; requests through this client are spaced by this. */
  minIntervalMs?: number
  clock?: Clock
}

export type PacClient = Client<WithoutHeaderParams<PacPaths>, `${string}/${string}`>
export type PatClient = Client<WithoutHeaderParams<PatPaths>, `${string}/${string}`>

export interface PaymentsenseClient {
  /** Pay-at-counter v2, typed from our OpenAPI schema. */
  readonly pac: PacClient
  /** Pay-at-table v1 over REST (Paymentsense steers new pay-at-table integrations to WebSockets). */
  readonly pat: PatClient
  /** The transport: `ok(result)` unwraps an openapi-fetch result or throws a TillkitHttpError. */
  readonly transport: Transport
}

const PAC_MEDIA_TYPE = 'application/connect.v2+json'
const PAT_MEDIA_TYPE = 'application/connect.v1+json'

/** Hostname labels: what Paymentsense issues as the account part of the host. */
const ACCOUNT_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

export function createPaymentsenseClient(options: PaymentsenseClientOptions): PaymentsenseClient {
  const baseUrl = checkOptions(options)
  const transport = createTransport({
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    minIntervalMs: options.minIntervalMs ?? 100,
    clock: options.clock,
    logger: options.logger,
    secrets: [options.apiKey],
  })
  const headers = {
    Authorization: `Basic ${btoa(`${options.username ?? 'tillkit'}:${options.apiKey}`)}`,
    'Software-House-Id': options.softwareHouseId,
    'Installer-Id': options.installerId,
  }
  const make = (mediaType: string) => {
    const client = createClient({
      baseUrl,
      fetch: transport.fetch,
      headers: { ...headers, Accept: mediaType },
    })
    return checked(client, mediaType)
  }
  return {
    pac: make(PAC_MEDIA_TYPE) as unknown as PacClient,
    pat: make(PAT_MEDIA_TYPE) as unknown as PatClient,
    transport,
  }
}

type Init =
  { params?: { path?: Record<string, unknown> }; body?: unknown; headers?: HeadersInit } | undefined
const METHODS = ['GET', 'PUT', 'POST', 'DELETE'] as const

/**
 * Checks path parameters and bodies against the rules before openapi-fetch builds the request, so bad input fails
 * before any network call, naming the field and the rule; labels bodies with Connect's versioned media type
 * (openapi-fetch would say application/json).
 */
function checked<C extends object>(client: C, mediaType: string): C {
  type Call = (path: string, init?: Init) => Promise<unknown>
  const methods = client as unknown as Record<string, Call>
  const wrapped: Record<string, Call> = { ...methods }
  for (const method of METHODS)
    wrapped[method] = async (path, init) => {
      for (const [name, value] of Object.entries(init?.params?.path ?? {}))
        assertString(name, value, { minLength: 1 })
      const check = bodyChecks[`${method} ${path}`]
      if (check) {
        const body = init?.body
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new TillkitValidationError('body', 'must be an object')
        check(body as Record<string, unknown>)
      }
      if (init?.body === undefined) return methods[method]!(path, init)
      const headers = {
        ...Object.fromEntries(new Headers(init.headers)),
        'Content-Type': mediaType,
      }
      return methods[method]!(path, { ...init, headers })
    }
  return wrapped as C
}

function checkOptions(options: PaymentsenseClientOptions): string {
  if (typeof options !== 'object' || options === null)
    throw new TillkitValidationError('options', 'must be an object')
  assertString('options.apiKey', options.apiKey, { minLength: 1, secret: true })
  assertString('options.softwareHouseId', options.softwareHouseId, { minLength: 1 })
  assertString('options.installerId', options.installerId, { minLength: 1 })
  if (options.username !== undefined)
    assertString('options.username', options.username, { minLength: 1, pattern: /^[^:]*$/ })
  if (options.timeoutMs !== undefined)
    assertInteger('options.timeoutMs', options.timeoutMs, 1, 600_000)
  if (options.minIntervalMs !== undefined)
    assertInteger('options.minIntervalMs', options.minIntervalMs, 0, 60_000)
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    throw new TillkitValidationError('options.fetch', 'must be a function')
  if (options.baseUrl !== undefined) {
    assertString('options.baseUrl', options.baseUrl, { pattern: /^https?:\/\/[^\s/]+/ })
    return options.baseUrl.replace(/\/+$/, '')
  }
  assertOneOf('options.environment', options.environment, ['test', 'live'])
  assertString('options.account', options.account, { pattern: ACCOUNT_PATTERN })
  const env = options.environment === 'test' ? '.test' : ''
  return `https://${options.account}${env}.connect.paymentsense.cloud`
}
