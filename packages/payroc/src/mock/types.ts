/**
 * Wire types of the fake cloud's bodies, taken from the generated schema types. This is the only file of the fake
 * that names the generated modules.
 */
import type { components, operations } from '../generated/cloud-v1.js'
import type { components as IdentityComponents } from '../generated/identity.js'

type Schemas = components['schemas']

export type InstructionStatus = Schemas['InstructionStatus']
export type Link = Schemas['Link']
export type PaymentInstruction = Schemas['PaymentInstruction']
export type RefundInstruction = Schemas['RefundInstruction']
export type SignatureInstruction = Schemas['SignatureInstruction']
export type PaymentInstructionRequest = Schemas['PaymentInstructionRequest']
export type RefundInstructionRequest = Schemas['RefundInstructionRequest']
export type SignatureInstructionRequest = Schemas['SignatureInstructionRequest']
export type ReferencedRefundRequest = Schemas['ReferencedRefundRequest']
export type ReversalRequest = Schemas['ReversalRequest']
export type TransactionResult = Schemas['TransactionResult']
export type RetrievedCard = Schemas['RetrievedCard']
export type RetrievedPayment = Schemas['RetrievedPayment']
export type RetrievedRefund = Schemas['RetrievedRefund']
export type RefundSummary = Schemas['RefundSummary']
export type SupportedOperation = Schemas['SupportedOperation']
export type Signature = Schemas['Signature']
export type Device = Schemas['Device']
export type DeviceList = Schemas['DeviceList']
export type PaymentList = Schemas['PaymentList']
export type DeviceQuery = NonNullable<operations['listDevices']['parameters']['query']>
export type PaymentQuery = NonNullable<operations['listPayments']['parameters']['query']>
export type Problem = Schemas['Problem']
export type FieldError = Schemas['FieldError']
export type TokenResponse = IdentityComponents['schemas']['TokenResponse']
