import { formEncode } from '../../additional.js'
import { PROTOCOL_VERSION } from '../../nexo.js'

/** Shapes of what the fake terminal and cloud send; plain objects, checked by the tests against our schemas. */

export type Json = Record<string, unknown>

/** The request header fields the fake reads (validated before it gets here). */
export interface Header {
  ProtocolVersion?: string
  MessageClass: string
  MessageCategory: string
  MessageType: string
  ServiceID: string
  SaleID: string
  POIID: string
}

export type AdditionalFormat = 'form' | 'base64'

export function responseHeader(request: Header): Json {
  return {
    ProtocolVersion: request.ProtocolVersion ?? PROTOCOL_VERSION,
    MessageClass: request.MessageClass,
    MessageCategory: request.MessageCategory,
    MessageType: 'Response',
    ServiceID: request.ServiceID,
    SaleID: request.SaleID,
    POIID: request.POIID,
  }
}

/** `Response.AdditionalResponse` packed the way the device is configured to. */
export function additional(
  pairs: Record<string, string | number>,
  format: AdditionalFormat,
): string {
  if (format === 'form') return formEncode(pairs)
  const bytes = new TextEncoder().encode(JSON.stringify({ additionalData: pairs }))
  return btoa(String.fromCharCode(...bytes))
}

export function result(
  outcome: 'Success' | 'Partial' | 'Failure',
  format: AdditionalFormat,
  pairs: Record<string, string | number> = {},
  condition?: string,
): Json {
  return {
    Result: outcome,
    ...(condition !== undefined && { ErrorCondition: condition }),
    ...(Object.keys(pairs).length > 0 && { AdditionalResponse: additional(pairs, format) }),
  }
}

/** A response envelope: `{ SaleToPOIResponse: { MessageHeader, <Category>Response: body } }`. */
export function responseEnvelope(request: Header, body: Json): Json {
  return {
    SaleToPOIResponse: {
      MessageHeader: responseHeader(request),
      [`${request.MessageCategory}Response`]: body,
    },
  }
}

/** What the cloud answers when it cannot reach the terminal: an event notification in a request envelope. */
export function rejectEvent(request: Header, original: unknown, at: number, message: string): Json {
  const bytes = new TextEncoder().encode(JSON.stringify(original))
  return {
    SaleToPOIRequest: {
      MessageHeader: {
        ProtocolVersion: PROTOCOL_VERSION,
        MessageClass: 'Event',
        MessageCategory: 'Event',
        MessageType: 'Notification',
        ServiceID: request.ServiceID,
        SaleID: request.SaleID,
        POIID: request.POIID,
      },
      EventNotification: {
        TimeStamp: new Date(at).toISOString(),
        EventToNotify: 'Reject',
        EventDetails: formEncode({ message }),
        RejectedMessage: btoa(String.fromCharCode(...bytes)),
      },
    },
  }
}

/** A display notification: one progress event of a running payment, as Adyen sends them to display URLs. */
export function displayNotification(
  request: Header,
  deviceId: string,
  event: string,
  transactionId: string,
  at: number,
): Json {
  return {
    SaleToPOIRequest: {
      MessageHeader: {
        ProtocolVersion: PROTOCOL_VERSION,
        MessageClass: 'Device',
        MessageCategory: 'Display',
        MessageType: 'Request',
        ServiceID: request.ServiceID,
        DeviceID: deviceId,
        SaleID: request.SaleID,
        POIID: request.POIID,
      },
      DisplayRequest: {
        DisplayOutput: [
          {
            Device: 'CashierDisplay',
            InfoQualify: 'Status',
            ResponseRequiredFlag: false,
            MinimumDisplayTime: 0,
            OutputContent: {
              OutputFormat: 'Text',
              OutputText: [
                {
                  Text: formEncode({
                    event,
                    TransactionID: transactionId,
                    TimeStamp: new Date(at).toISOString(),
                  }),
                },
              ],
            },
          },
        ],
      },
    },
  }
}

/** A receipt in Adyen's style: one form-encoded `key`/`name`/`value` per line. */
export function receipt(
  qualifier: 'CashierReceipt' | 'CustomerReceipt',
  lines: Array<[key: string, name: string, value?: string]>,
  signature = false,
): Json {
  return {
    DocumentQualifier: qualifier,
    RequiredSignatureFlag: signature,
    OutputContent: {
      OutputFormat: 'Text',
      OutputText: lines.map(([key, name, value]) => ({
        Text: formEncode({ ...(name && { name }), ...(value !== undefined && { value }), key }),
        EndOfLineFlag: true,
      })),
    },
  }
}

/** Deterministic references, so a test can predict them: `<tender>.<pspReference>`. */
export class Ids {
  private seq = 0
  next(at: number): { tender: string; psp: string; poiTransactionId: string } {
    this.seq += 1
    const psp = String(8_815_000_000_000_000 + this.seq)
    const tender = `T${(at % 1e10).toString(36).toUpperCase()}${this.seq.toString(36).toUpperCase()}`
    return { tender, psp, poiTransactionId: `${tender}.${psp}` }
  }
  approvalCode(): string {
    return String(100_000 + ((this.seq * 7919) % 900_000))
  }
}
