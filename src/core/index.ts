export { accumulate, accumulateStream, ResponseAccumulator, StreamOrderError } from './accumulate.js';
export { ERROR_CODES, type ErrorCode, type ErrorCodeInfo, isErrorCode } from './error-codes.js';
export {
  errorEvent,
  errorFromEvent,
  InvalidRequestError,
  NodexError,
  type NodexErrorOptions,
  NotSupportedError,
  toNodexError,
} from './errors.js';
export * from './events.js';
export { assertNever } from './exhaustive.js';
export { FINISH_REASONS, type FinishReason } from './finish-reason.js';
export type * from './provider.js';
export { mergeProviderData, type ProviderData } from './provider-data.js';
export type * from './quota.js';
export * from './request.js';
export type * from './response.js';
export { addUsage, makeUsage, type TokenUsage, type UsageFigures } from './usage.js';
export { collectWarnings, type Warning, type WarningSink } from './warnings.js';
