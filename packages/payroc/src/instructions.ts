import {
  assertInteger,
  assertString,
  checkCallOptions,
  steady,
  TillkitAbortedError,
  TillkitError,
  TillkitProtocolError,
  TillkitUnknownOutcomeError,
  TillkitValidationError,
  uuid,
} from '@tillkit/core'
import type { PayrocClient } from './client.js'
import type { components } from './generated/cloud-v1.js'
import { INSTRUCTION_STATUSES, UUID_V4 } from './limits.js'

type Schemas = components['schemas']

export type InstructionKind = 'payment' | 'refund' | 'signature'
export type InstructionStatus = Schemas['InstructionStatus']

/** What each kind of instruction sends, reads back and leads to once completed. */
export interface InstructionKinds {
  payment: {
    request: Schemas['PaymentInstructionRequest']
    instruction: Schemas['PaymentInstruction']
    result: Schemas['RetrievedPayment']
  }
  refund: {
    request: Schemas['RefundInstructionRequest']
    instruction: Schemas['RefundInstruction']
    result: Schemas['RetrievedRefund']
  }
  signature: {
    request: Schemas['SignatureInstructionRequest']
    instruction: Schemas['SignatureInstruction']
    result: Schemas['Signature']
  }
}

export type Instruction<K extends InstructionKind> = InstructionKinds[K]['instruction']
export type InstructionRequest<K extends InstructionKind> = InstructionKinds[K]['request']
export type InstructionResult<K extends InstructionKind> = InstructionKinds[K]['result']

interface Routes {
  submit: string
  one: string
  /** The instruction's id field and path parameter. */
  id: string
  /** Where a completed instruction's link must lead, and that operation's path and parameter. */
  result: RegExp
  resultPath: string
  resultParam: string
}

const ROUTES: Record<InstructionKind, Routes> = {
  payment: {
    submit: '/devices/{serialNumber}/payment-instructions',
    one: '/payment-instructions/{paymentInstructionId}',
    id: 'paymentInstructionId',
    result: /^\/payments\/([^/]+)$/,
    resultPath: '/payments/{paymentId}',
    resultParam: 'paymentId',
  },
  refund: {
    submit: '/devices/{serialNumber}/refund-instructions',
    one: '/refund-instructions/{refundInstructionId}',
    id: 'refundInstructionId',
    result: /^\/refunds\/([^/]+)$/,
    resultPath: '/refunds/{refundId}',
    resultParam: 'refundId',
  },
  signature: {
    submit: '/devices/{serialNumber}/signature-instructions',
    one: '/signature-instructions/{signatureInstructionId}',
    id: 'signatureInstructionId',
    result: /^\/signatures\/([^/]+)$/,
    resultPath: '/signatures/{signatureId}',
    resultParam: 'signatureId',
  },
}

type Result = { data?: unknown; error?: unknown; response: Response }
type Call = (path: string, init: object) => Promise<Result>
/** The typed client seen through plain strings: these helpers pick paths per kind at run time. */
const untyped = (client: PayrocClient) =>
  client.api as unknown as { GET: Call; POST: Call; DELETE: Call }

const checkKind = (kind: unknown): void => {
  if (!(typeof kind === 'string' && kind in ROUTES))
    throw new TillkitValidationError('kind', 'must be one of payment, refund, signature')
}

export interface SubmitOptions {
  /**
   * A UUID v4. Leave it out for a new request (one is made); give the key of an earlier attempt, with the same body,
   * to replay it after an unknown outcome: the gateway answers with the original instruction.
   */
  idempotencyKey?: string
  signal?: AbortSignal
}

/** Every name of {@link SubmitOptions} (the `satisfies` keeps the list complete). */
const SUBMIT_OPTIONS = { idempotencyKey: 1, signal: 1 } satisfies Record<keyof SubmitOptions, 1>

/**
 * {@link submitInstruction}'s arguments, one tuple per kind: a kind that is a union (`'payment' | 'refund'`) must come
 * with the body of the kind it turns out to be, so a payment's body never type-checks as a refund's.
 */
export type SubmitArgs<K extends InstructionKind> = {
  [P in K]: [kind: P, serialNumber: string, body: InstructionRequest<P>, options?: SubmitOptions]
}[K]

export interface Submitted<K extends InstructionKind> {
  instruction: Instruction<K>
  /** The instruction's id (`paymentInstructionId`, ...). */
  id: string
  /** Keep it until the instruction is final: replaying with it is the only safe retry. */
  idempotencyKey: string
}

/** What an unknown-outcome error of a submit knows, to replay it. */
export interface SubmitKnown {
  kind: InstructionKind
  serialNumber: string
  idempotencyKey: string
  orderId?: string
  amount?: number
}

/**
 * Sends an instruction to a device. Timeouts and dropped connections are retried by the transport with the same key
 * and body, which the gateway answers with the original instruction. When even that fails (or a 5xx comes back),
 * the instruction may exist on the device: the result is a TillkitUnknownOutcomeError whose `known` holds the
 * `idempotencyKey`; call again with it and the same body to learn the instruction, never with a new key.
 */
export async function submitInstruction<K extends InstructionKind>(
  client: PayrocClient,
  ...[kind, serialNumber, body, options = {}]: SubmitArgs<K>
): Promise<Submitted<K>> {
  checkCallOptions(options, SUBMIT_OPTIONS)
  checkKind(kind)
  const routes = ROUTES[kind]
  const idempotencyKey = options.idempotencyKey ?? uuid()
  assertString('idempotencyKey', idempotencyKey, { pattern: UUID_V4 })
  let instruction: Record<string, unknown>
  let id: string
  let response: Response | undefined
  try {
    const result = await untyped(client).POST(routes.submit, {
      params: { path: { serialNumber }, header: { 'Idempotency-Key': idempotencyKey } },
      body,
      signal: options.signal,
    })
    response = result.response
    instruction = client.transport.ok(result) as Record<string, unknown>
    id = instructionId(kind, instruction)
  } catch (error) {
    // Accepted, but its instruction id cannot be read: a 2xx whose body is not JSON (the client's
    // `malformed` error), is empty, or names no instruction. The instruction exists; as good as a
    // lost answer.
    // Anything else not a TillkitError failed before the request was built (a body that cannot
    // be serialised): nothing was sent. The transport turns what happens on the wire into one.
    if (!(error instanceof TillkitError) && response === undefined)
      throw new TillkitValidationError(
        'body',
        `cannot be sent (${error instanceof Error ? error.message : String(error)})`,
      )
    const unreadable =
      response?.ok === true ||
      (error instanceof TillkitProtocolError && error.fault === 'malformed') ||
      !(error instanceof TillkitError)
    if (!unreadable && !(error as TillkitError).outcomeUnknown) throw error
    const order = (body as { order?: { orderId?: unknown; amount?: unknown } }).order
    const known: SubmitKnown = {
      kind,
      serialNumber,
      idempotencyKey,
      ...(typeof order?.orderId === 'string' && { orderId: order.orderId }),
      ...(typeof order?.amount === 'number' && { amount: order.amount }),
    }
    const code = (error as TillkitError).code
    throw new TillkitUnknownOutcomeError(
      `${kind} instruction for device ${serialNumber} may have been accepted; send it again with the same idempotencyKey and body to find out`,
      {
        operation: `${kind}Instruction`,
        reason: unreadable
          ? 'unreadable answer'
          : code === 'HTTP'
            ? 'server error'
            : code.toLowerCase(),
        known,
        cause: error,
        redact: client.transport.redact,
      },
    )
  }
  return { instruction: instruction as Instruction<K>, id, idempotencyKey }
}

function instructionId(kind: InstructionKind, instruction: Record<string, unknown>): string {
  const id = instruction?.[ROUTES[kind].id]
  const status = instruction?.status
  if (
    typeof id !== 'string' ||
    !id ||
    !(INSTRUCTION_STATUSES as readonly unknown[]).includes(status)
  )
    throw new TillkitProtocolError(
      'invalid',
      `Payroc answered a ${kind} instruction without ${ROUTES[kind].id} or a known status`,
      { details: { status } },
    )
  return id
}

export interface WaitOptions<K extends InstructionKind> {
  /** Called with the instruction each time its status differs from the previous read (the first read included). */
  onStatus?: (instruction: Instruction<K>) => void | Promise<void>
  /**
   * Reads start at least this far apart (default 1 000 ms). The gateway holds a read until something changes, so
   * this only matters if it answers at once: then it keeps the loop from hammering it.
   */
  minIntervalMs?: number
  signal?: AbortSignal
}

/** Every name of {@link WaitOptions} (the `satisfies` keeps the list complete). */
const WAIT_OPTIONS = { onStatus: 1, minIntervalMs: 1, signal: 1 } satisfies Record<
  keyof WaitOptions<InstructionKind>,
  1
>

/**
 * Reads an instruction until it is final (`completed`, `failure` or `canceled`) and returns that read. Each read is
 * a long-poll the gateway holds up to a minute; the next one is sent only after the previous one answered. A read
 * that fails after the transport's retries rejects with its error: the instruction itself is not affected, so
 * calling again resumes.
 */
export async function waitForInstruction<K extends InstructionKind>(
  client: PayrocClient,
  kind: K,
  id: string,
  options: WaitOptions<K> = {},
): Promise<Instruction<K>> {
  checkCallOptions(options, WAIT_OPTIONS)
  checkKind(kind)
  const minIntervalMs = options.minIntervalMs ?? 1_000
  assertInteger('minIntervalMs', minIntervalMs, 0, 60_000)
  const { clock } = client.transport
  const now = steady(clock)
  let previous: unknown
  for (;;) {
    const started = now()
    const instruction = await read(client, kind, id, options.signal)
    if (instruction.status !== previous) {
      previous = instruction.status
      await options.onStatus?.(instruction)
    }
    if (instruction.status !== 'inProgress') return instruction
    const wait = started + minIntervalMs - now()
    if (wait > 0)
      await clock.sleep(wait, options.signal).catch((cause: unknown) => {
        throw new TillkitAbortedError(`waiting for ${kind} instruction ${id} aborted`, false, {
          cause,
        })
      })
  }
}

async function read<K extends InstructionKind>(
  client: PayrocClient,
  kind: K,
  id: string,
  signal: AbortSignal | undefined,
): Promise<Instruction<K>> {
  const routes = ROUTES[kind]
  const result = await untyped(client).GET(routes.one, {
    params: { path: { [routes.id]: id } },
    signal,
  })
  const instruction = client.transport.ok(result) as Record<string, unknown>
  instructionId(kind, instruction)
  return instruction as Instruction<K>
}

export type CancelResult<K extends InstructionKind> =
  /** The instruction is canceled; `instruction` is there when it was read (after a 409). */
  | { canceled: true; instruction?: Instruction<K> }
  /** Too late: the instruction had already ended otherwise (`completed`: follow its link). */
  | { canceled: false; instruction: Instruction<K> }

/**
 * Cancels an instruction that is still in progress. A 409 means it had already ended: the instruction is read and
 * returned, so a payment that completed in the meantime is not missed. A cancel whose answer was lost (or that met a
 * 5xx) is sent once more: cancelling twice does no harm, and the second answer tells what happened.
 */
export async function cancelInstruction<K extends InstructionKind>(
  client: PayrocClient,
  kind: K,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<CancelResult<K>> {
  checkCallOptions(options)
  checkKind(kind)
  const routes = ROUTES[kind]
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await untyped(client).DELETE(routes.one, {
        params: { path: { [routes.id]: id } },
        signal: options.signal,
      })
      if (result.response.ok) return { canceled: true }
      if (result.response.status === 409) break
      client.transport.ok(result)
    } catch (error) {
      const again =
        error instanceof TillkitError && error.outcomeUnknown && error.code !== 'ABORTED'
      if (!again || attempt >= 2) throw error
      client.transport.logger.warn(
        { kind, attempt },
        'payroc cancel: no clear answer, sending it again',
      )
    }
  }
  const instruction = await read(client, kind, id, options.signal)
  return instruction.status === 'canceled'
    ? { canceled: true, instruction }
    : { canceled: false, instruction }
}

/**
 * Follows a completed instruction's `link.href` to what it produced: the payment, the refund or the signature. The
 * link is only followed within the client's API base (the bearer token goes with the request) and must name the
 * expected kind of resource; ids are never derived from the instruction's own id, which differs.
 */
export async function retrieveResult<K extends InstructionKind>(
  client: PayrocClient,
  kind: K,
  instruction: Instruction<K>,
  options: { signal?: AbortSignal } = {},
): Promise<InstructionResult<K>> {
  checkCallOptions(options)
  checkKind(kind)
  if (instruction?.status !== 'completed')
    throw new TillkitValidationError(
      'instruction.status',
      'must be completed: only a completed instruction links to a result',
      String(instruction?.status),
    )
  const routes = ROUTES[kind]
  const resultId = resultIdOf(client, kind, instruction)
  const result = await untyped(client).GET(routes.resultPath, {
    params: { path: { [routes.resultParam]: resultId } },
    signal: options.signal,
  })
  return client.transport.ok(result) as InstructionResult<K>
}

/**
 * The id of what a completed instruction links to (`link.href`): a payment, a refund or a signature.
 * Taken only from a link to the expected kind of resource under the client's API base (the bearer
 * token goes with the read); anything else is a TillkitProtocolError, the link in its details
 * cleared of the client's secrets.
 */
export function resultIdOf(
  client: PayrocClient,
  kind: InstructionKind,
  instruction: { link?: { href?: unknown } | null },
): string {
  const href = instruction.link?.href
  const base = new URL(`${client.baseUrl}/`)
  try {
    const target = new URL(String(href), base)
    const match = ROUTES[kind].result.exec(target.pathname.slice(base.pathname.length - 1))
    if (
      typeof href == 'string' &&
      target.origin === base.origin &&
      target.pathname.startsWith(base.pathname) &&
      match
    )
      return decodeURIComponent(match[1]!)
  } catch {
    // Not a URL, or a malformed escape in the id: reported below.
  }
  throw new TillkitProtocolError(
    'unexpected',
    `completed ${kind} instruction: link.href is not a ${kind} result under ${client.baseUrl}; not followed`,
    { details: { href }, redact: client.transport.redact },
  )
}
