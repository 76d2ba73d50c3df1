import createClient, { type Client } from 'openapi-fetch'
import {
  assertObject,
  assertString,
  base64,
  checkClientOptions,
  checkFields,
  createDraftTransport,
  guardClient,
  header,
  RequestDraft,
  int,
  oneOf,
  optional,
  segment,
  string,
  TRANSPORT_RULES,
  type CallInit,
  type Rules,
  type Clock,
  type LoggerLike,
  type RetryPolicy,
  type DraftTransport,
} from '@tillkit/core'
import type { paths as PacPaths } from './generated/pac-v2.js'
import type { paths as PatPaths } from './generated/pat-v1.js'
import type { WithoutHeaderParams } from './headers.js'
import { BODY_RULES } from './rules.js'

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

/**
 * openapi-fetch clients without `use`/`eject`: retries, timeouts and logging live in the transport,
 * and requests travel as drafts (RequestDraft), not the Requests a caller's middleware would expect.
 */
export type PacClient = Omit<
  Client<WithoutHeaderParams<PacPaths>, `${string}/${string}`>,
  'use' | 'eject'
>
export type PatClient = Omit<
  Client<WithoutHeaderParams<PatPaths>, `${string}/${string}`>,
  'use' | 'eject'
>

export interface PaymentsenseClient {
  /** Pay-at-counter v2, typed from our OpenAPI schema. */
  readonly pac: PacClient
  /** Pay-at-table v1 over REST (Paymentsense steers new pay-at-table integrations to WebSockets). */
  readonly pat: PatClient
  /** The transport: `ok(result)` unwraps an openapi-fetch result or throws a TillkitHttpError. */
  readonly transport: DraftTransport
}

export function createPaymentsenseClient(options: PaymentsenseClientOptions): PaymentsenseClient {
  const baseUrl = checkOptions(options)
  // openapi-fetch builds every request as a draft: the draft transport is all the client needs.
  const transport = createDraftTransport({
    ...options,
    minIntervalMs: options.minIntervalMs ?? 100,
    secrets: [options.apiKey],
  })
  // Connect selects the API version by media type: v2 for pay at counter, v1 for pay at table.
  const make = (version: number) => {
    const mediaType = `application/connect.v${version}+json`
    const client = createClient({
      baseUrl,
      fetch: transport.fetch as unknown as typeof fetch,
      // Drafts, not Requests: the transport sends the init as built (see RequestDraft).
      Request: RequestDraft as unknown as typeof Request,
      // A redirect is answered as it is: following it would send the request (a payment, the
      // credentials) again, perhaps to another host.
      redirect: 'manual',
      // A function: openapi-fetch would otherwise build its default serializer on every request.
      querySerializer,
      headers: {
        // UTF-8 (RFC 7617's one charset), the bytes the redactor knows the key by.
        Authorization: `Basic ${base64(new TextEncoder().encode(`${options.username ?? 'tillkit'}:${options.apiKey}`))}`,
        'Software-House-Id': options.softwareHouseId,
        'Installer-Id': options.installerId,
        Accept: mediaType,
      },
    })
    // Bad input fails before any network call, naming the field and the rule; a body goes out
    // labelled with Connect's versioned media type.
    return guardClient(
      client,
      (method, path, init) => {
        checkInput(method, path, init)
        if (init?.body === undefined) return init
        const headers = new Headers(init.headers)
        headers.set('Content-Type', mediaType)
        return { ...init, headers }
      },
      transport.redact,
    ) as unknown as PacClient & PatClient
  }
  return { pac: make(2), pat: make(1), transport }
}

/** Connect's query parameters are single values (`locked`, `currency`, `receipt`): `name=value&...`. */
function querySerializer(query: Record<string, unknown> = {}): string {
  return Object.entries(query)
    .filter(([, value]) => value != null)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&')
}

function checkInput(method: string, path: string, init: CallInit): void {
  for (const [name, value] of Object.entries(init?.params?.path ?? {})) segment(name, value, {})
  const body = init?.body
  const rules = BODY_RULES[`${method} ${path}`]
  if (rules) {
    assertObject('body', body)
    checkFields(body as Record<string, unknown>, rules)
  }
}

/** Every option but the host, in the order they are checked; any other name is refused. */
const OPTION_RULES: Rules = {
  apiKey: header(true),
  softwareHouseId: header(),
  installerId: header(),
  // Basic auth's user-id: no colon, and sent base64-encoded, so ISO-8859-1 as a header value is.
  username: optional((field, value, options) => {
    header()(field, value, options)
    assertString(field, value, { pattern: /^[^:]+$/, patternRule: 'must not contain ":"' })
  }),
  ...TRANSPORT_RULES,
  minIntervalMs: optional(int(0, 60_000)),
  baseUrl: optional(string({ pattern: /^https?:\/\/[^\s/]/ })),
}

/** The host: `baseUrl` when given, else the account's Connect host. */
const HOST_RULES: Rules = {
  environment: oneOf(['test', 'live']),
  // Hostname labels: what Paymentsense issues as the account part of the host.
  account: string({ pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i }),
}

function checkOptions(options: PaymentsenseClientOptions): string {
  checkClientOptions(options, OPTION_RULES, HOST_RULES)
  if (options.baseUrl) return options.baseUrl.replace(/\/+$/, '')
  checkFields(options as unknown as Record<string, unknown>, HOST_RULES, 'options.')
  return `https://${options.account}${options.environment == 'test' ? '.test' : ''}.connect.paymentsense.cloud`
}
