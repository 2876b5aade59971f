import type { FastifyInstance } from 'fastify';
import { anthropicMessagesProtocol } from '../../protocols/anthropic-messages/index.js';
import { openaiChatProtocol } from '../../protocols/openai-chat/index.js';
import type { GatewayContext } from '../gateway-context.js';
import { runPipeline } from '../pipeline.js';
import { registerResponsesRoute } from './responses-route.js';

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
  registerResponsesRoute(app, ctx);
}
