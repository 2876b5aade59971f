import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NodexError, toNodexError } from '../core/errors.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import { openaiChatProtocol } from '../protocols/openai-chat/index.js';

/** Fastify's own errors (body parsing, limits) as NodexErrors with the codes docs/errors.md lists. */
export function fromFastifyError(error: FastifyError): NodexError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new NodexError('request_too_large', 'the request body is larger than server.body_limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new NodexError('unsupported_media_type', `unsupported Content-Type: send application/json`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new NodexError('invalid_json', 'the request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new NodexError('invalid_json', `the request body is not valid JSON: ${error.message}`);
    default:
      if (error instanceof SyntaxError || error.statusCode === 400)
        return new NodexError('invalid_json', `the request body is not valid JSON: ${error.message}`);
      return toNodexError(error);
  }
}

/**
 * Renders any error that escaped a handler in the route's protocol shape (the OpenAI shape for
 * routes without one). Never a stack trace, never a bare 500 without a code.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const config = request.routeOptions.config as { protocol?: ClientProtocol } | undefined;
  const protocol = config?.protocol ?? openaiChatProtocol;
  const typed = NodexError.isInstance(error) ? error : fromFastifyError(error);
  const encoded = protocol.encodeError(typed, { requestId: request.id });
  void reply
    .status(encoded.status)
    .headers(encoded.headers ?? {})
    .send(encoded.body);
}
