import type { FastifyInstance } from 'fastify';
import type { FunctionCallItem } from '../../core/request.js';
import { anthropicMessagesProtocol } from '../../protocols/anthropic-messages/index.js';
import { openaiChatProtocol } from '../../protocols/openai-chat/index.js';
import { openaiResponsesProtocol } from '../../protocols/openai-responses/index.js';
import type { GatewayContext } from '../gateway-context.js';
import { runPipeline } from '../pipeline.js';
import { SessionCache } from '../session-cache.js';

/**
 * The three client protocols: one line each, the pipeline does the rest (DESIGN.md §2: adding a
 * protocol touches its folder and one route).
 */
export function registerProtocolRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post('/v1/chat/completions', { config: { protocol: openaiChatProtocol } }, (req, reply) =>
    runPipeline(openaiChatProtocol, 'chat', req, reply, ctx),
  );
  app.post('/v1/messages', { config: { protocol: anthropicMessagesProtocol } }, (req, reply) =>
    runPipeline(anthropicMessagesProtocol, 'messages', req, reply, ctx),
  );
  app.post('/v1/responses', { config: { protocol: openaiResponsesProtocol } }, (req, reply) =>
    runPipeline(openaiResponsesProtocol, 'responses', req, reply, ctx, {
      // Responses clients may omit instructions and resend outputs without their calls (seeds-spec §A.11–A.12).
      prepare: (request, state) => {
        const key = SessionCache.keyFor(
          state.caller?.keyId ?? 'anonymous',
          req.headers,
          request.user,
          req.ip,
        );
        return ctx.sessions.repair(key, request, (warning) => state.warnings.push(warning));
      },
      completed: (response, state) => {
        const key = SessionCache.keyFor(
          state.caller?.keyId ?? 'anonymous',
          req.headers,
          state.decoded?.request.user,
          req.ip,
        );
        ctx.sessions.rememberCalls(
          key,
          response.output.filter((item): item is FunctionCallItem => item.type === 'function_call'),
        );
      },
    }),
  );
}
