import type { ClientProtocol } from '../client-protocol.js';
import { decodeAnthropicRequest } from './decode-request.js';
import { encodeAnthropicError } from './encode-error.js';
import { encodeAnthropicResponse } from './encode-response.js';
import { AnthropicStreamEncoder } from './encode-stream.js';

export { fromAnthropicToolId, toAnthropicToolId } from './anthropic-ids.js';
export { type CountTokensRequest, decodeCountTokensRequest } from './count-tokens.js';
export { decodeAnthropicRequest } from './decode-request.js';
export { anthropicErrorBody, encodeAnthropicError } from './encode-error.js';
export { type AnthropicMessage, encodeAnthropicResponse } from './encode-response.js';
export { AnthropicStreamEncoder } from './encode-stream.js';

/**
 * The Anthropic Messages client protocol (`POST /v1/messages`): what Claude Code and
 * `@anthropic-ai/sdk` speak, decoded into and encoded from the canonical model, whatever the upstream.
 *
 * @example
 * const { request, stream } = anthropicMessagesProtocol.decodeRequest(body, { onIssue });
 * const encoder = anthropicMessagesProtocol.createStreamEncoder({ request, requestedModel, requestId });
 */
export const anthropicMessagesProtocol: ClientProtocol = {
  id: 'anthropic-messages',
  decodeRequest: decodeAnthropicRequest,
  createStreamEncoder: (context) => new AnthropicStreamEncoder(context),
  encodeResponse: encodeAnthropicResponse,
  encodeError: encodeAnthropicError,
};
