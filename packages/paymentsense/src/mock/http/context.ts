import type { ConnectModel } from '../domain/model.js'

/** What a REST operation gets besides its path parameters. */
export interface OperationContext {
  model: ConnectModel
  /** Clock time at which the request reached the cloud. */
  now: number
  url: URL
  /** Where the cloud's paths hang from for this request: its origin and any MSW base path. */
  base: string
  /** Parsed JSON body, for operations that take one. */
  body: unknown
}

/** Absolute URL of a resource on the host (and base path) the request came in on. */
export function locate(context: OperationContext, ...segments: string[]): string {
  return `${context.base}/${segments.map(encodeURIComponent).join('/')}`
}
