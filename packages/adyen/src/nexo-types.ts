/** The nexo message types, generated from `schemas/adyen/nexo/`; exported as the `Nexo` namespace. */
export type { AbortRequest } from './generated/nexo/abort-request.js'
export type { DisplayRequest } from './generated/nexo/display-request.js'
export type { EventNotification } from './generated/nexo/event-notification.js'
export type {
  PaymentRequest,
  RequestHeader,
  SaleData,
  AmountsReq,
  PaymentTransaction,
  PaymentData,
  TransactionConditions,
  TransactionIdentification,
  MessageCategory,
  PaymentType,
} from './generated/nexo/payment-request.js'
export type {
  PaymentResponse,
  PaymentResponseBody,
  ResponseHeader,
  Response,
  Result,
  KnownErrorCondition,
  POIData,
  PaymentResult,
  AmountsResp,
  PaymentReceipt,
} from './generated/nexo/payment-response.js'
export type { ReversalRequest, ReversalReason } from './generated/nexo/reversal-request.js'
export type { ReversalResponse, ReversalResponseBody } from './generated/nexo/reversal-response.js'
export type { TransactionStatusRequest } from './generated/nexo/transaction-status-request.js'
export type {
  TransactionStatusResponse,
  RepeatedMessageResponse,
} from './generated/nexo/transaction-status-response.js'
