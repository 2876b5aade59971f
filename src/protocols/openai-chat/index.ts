import type { ClientProtocol } from '../client-protocol.js';
import { encodeOpenAIError } from '../openai-error.js';
import { decodeChatRequest } from './decode-request.js';
import { encodeChatResponse } from './encode-response.js';
import { ChatStreamEncoder } from './encode-stream.js';

/**
 * The OpenAI Chat Completions client protocol (`POST /v1/chat/completions`): request decoding,
 * `chat.completion.chunk` streaming, the `chat.completion` object and OpenAI error bodies.
 *
 * @example
 * const { request, stream, extras } = openaiChatProtocol.decodeRequest(body, { onIssue });
 * const encoder = openaiChatProtocol.createStreamEncoder({ request, requestedModel: request.model, requestId, extras });
 */
export const openaiChatProtocol: ClientProtocol = {
  id: 'openai-chat',
  decodeRequest: (body, options) => decodeChatRequest(body, options),
  createStreamEncoder: (context) => new ChatStreamEncoder(context),
  encodeResponse: (response, context) => encodeChatResponse(response, context),
  encodeError: (error) => encodeOpenAIError(error),
};

export { encodeOpenAIError, openaiErrorBody, openaiStatus } from '../openai-error.js';
export { decodeChatMessages } from './decode-messages.js';
export { decodeChatRequest } from './decode-request.js';
export { type ChatCompletion, encodeChatResponse, encodeChatUsage } from './encode-response.js';
export { ChatStreamEncoder } from './encode-stream.js';
