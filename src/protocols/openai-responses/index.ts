import { InvalidRequestError } from '../../core/errors.js';
import type { ClientProtocol, DecodedClientRequest } from '../client-protocol.js';
import { encodeOpenAIError } from '../openai-error.js';
import { decodeResponsesRequest } from './decode-request.js';
import { encodeResponsesBody } from './encode-response.js';
import { createResponsesStreamEncoder } from './encode-stream.js';

export { encodeResponsesFailure } from './encode-error.js';
export { createResponsesStreamEncoder, ResponsesStreamEncoder } from './encode-stream.js';

/**
 * The OpenAI Responses client protocol (`POST /v1/responses`), what Codex CLI (`wire_api =
 * "responses"`) and the `openai` SDK speak. Extras for the gateway: `previousResponseId`, `store`,
 * `include`; the encoders read `previousResponseId` and `store` back to echo them.
 *
 * @example
 * const decoded = openaiResponsesProtocol.decodeRequest(body, { onIssue });
 * const encoder = openaiResponsesProtocol.createStreamEncoder({
 *   request: decoded.request, requestedModel: decoded.request.model, requestId, extras: decoded.extras,
 * });
 */
export const openaiResponsesProtocol: ClientProtocol = {
  id: 'openai-responses',

  decodeRequest(body, options): DecodedClientRequest {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidRequestError('the request body must be a JSON object');
    }
    const decoded = decodeResponsesRequest(body as Record<string, unknown>, options);
    return {
      request: decoded.request,
      stream: decoded.stream,
      extras: {
        store: decoded.store,
        ...(decoded.previousResponseId ? { previousResponseId: decoded.previousResponseId } : {}),
        ...(decoded.include ? { include: decoded.include } : {}),
      },
    };
  },

  createStreamEncoder: createResponsesStreamEncoder,

  encodeResponse: encodeResponsesBody,

  encodeError: (error) => encodeOpenAIError(error),
};
