export { countInputTokens } from '../protocols/count-input-tokens.js';
export type { RequestOptions, ResponseCreateParams, ResponseInputItem } from './create-params.js';
export {
  ParameterValidationError,
  SDKRequestError,
  TokenStoreDeleteError,
  TokenStoreReadError,
  TokenStoreWriteError,
} from './errors.js';
export type { AuthRefreshInfo, ErrorInfo, NodexHooks, RequestEndInfo, RequestStartInfo } from './hooks.js';
export type { GenerateParams } from './legacy.js';
export type { ModelCapabilitiesResult, ModelObject } from './models-resource.js';
export { Nodex } from './nodex.js';
export type { NodexOptions } from './nodex-options.js';
export { ResponseStream } from './response-stream.js';
export type { RunToolsParams } from './run-tools.js';
export type { SdkResponse } from './sdk-response.js';
export { dropOptionalNulls, toStrictJsonSchema } from './strict-schema.js';
export {
  jsonSchemaFormat,
  type ParseableTextFormat,
  type SchemaInput,
  toJsonSchema,
} from './structured-output.js';
export { type SdkTool, type ToolOptions, tool } from './tool.js';
export type { StoreBehavior, ValidationMode } from './validation.js';
