import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NodexError, toNodexError } from '../../core/errors.js';
import {
  anthropicMessagesProtocol,
  decodeCountTokensRequest,
} from '../../protocols/anthropic-messages/index.js';
import { countInputTokens } from '../../protocols/count-input-tokens.js';
import { openaiChatProtocol } from '../../protocols/openai-chat/index.js';
import type { ModelDirectory } from '../../routing/model-directory.js';
import type { GatewayContext } from '../gateway-context.js';
import { pricingAnswer } from '../payments/payments.js';
import { callerOf } from '../request-caller.js';

function wantsAnthropic(req: FastifyRequest): boolean {
  return typeof req.headers['anthropic-version'] === 'string';
}

/** An error answer in the caller's protocol: Anthropic when it sent `anthropic-version`, else OpenAI. */
function fail(
  req: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  protocol = wantsAnthropic(req) ? anthropicMessagesProtocol : openaiChatProtocol,
): FastifyReply {
  const encoded = protocol.encodeError(toNodexError(error), { requestId: req.id });
  return reply
    .status(encoded.status)
    .headers(encoded.headers ?? {})
    .send(encoded.body);
}

/**
 * `/v1/models`, `/v1/models/{id}`, `/v1/messages/count_tokens`, `/v1/pricing`, `/health`,
 * `/metrics`, `/`.
 */
export function registerInfoRoutes(
  app: FastifyInstance,
  ctx: GatewayContext,
  directory: ModelDirectory,
  version: string,
): void {
  app.get('/health', async () => ({ status: 'ok', version }));
  app.get('/', async () => ({ name: 'nodex', version }));
  app.get('/metrics', async (_req, reply) =>
    reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  );

  // Public, like the challenge it prices: a caller without a key looks here before paying.
  app.get('/v1/pricing', async (_req, reply) => {
    const answer = await pricingAnswer(ctx.services.payments);
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  });

  app.get('/v1/models', async (req, reply) => {
    try {
      await ctx.services.auth.authenticate(req.headers);
      const models = await directory.list();
      if (wantsAnthropic(req)) {
        const data = models.map((m) => ({
          type: 'model',
          id: m.id,
          display_name: m.display_name ?? m.id,
          created_at: new Date((m.created_at ?? 0) * 1000).toISOString(),
        }));
        return reply.send({
          data,
          has_more: false,
          first_id: data[0]?.id ?? null,
          last_id: data.at(-1)?.id ?? null,
        });
      }
      return reply.send({
        object: 'list',
        data: models.map((m) => ({
          id: m.id,
          object: 'model',
          created: m.created_at ?? 0,
          owned_by: m.provider,
          ...(m.display_name ? { display_name: m.display_name } : {}),
        })),
      });
    } catch (error) {
      return fail(req, reply, error);
    }
  });

  app.get<{ Params: { id: string } }>('/v1/models/:id', async (req, reply) => {
    try {
      await ctx.services.auth.authenticate(req.headers);
      const requested = req.params.id;
      let route: Awaited<ReturnType<GatewayContext['route']>>;
      try {
        route = await ctx.route(requested);
      } catch (error) {
        const typed = toNodexError(error);
        if (typed.code !== 'model_not_found') throw typed;
        throw new NodexError(
          'model_not_found',
          `model "${requested}" not found (GET /v1/models lists what this gateway serves)`,
          { param: 'model' },
        );
      }
      const info = (await directory.list()).find(
        (m) => m.id === route.model && m.provider === route.provider.id,
      );
      return reply.send({
        id: route.model,
        object: 'model',
        created: info?.created_at ?? 0,
        owned_by: route.provider.id,
        backend: route.provider.id,
        ...(route.alias ? { alias: route.alias } : {}),
        ...(info?.display_name ? { display_name: info.display_name } : {}),
      });
    } catch (error) {
      return fail(req, reply, error);
    }
  });

  app.post(
    '/v1/messages/count_tokens',
    { config: { protocol: anthropicMessagesProtocol } },
    async (req, reply) => {
      try {
        // The onRequest hook checked the key; a keyless request let through for payments has none.
        if (!callerOf(req)) throw new NodexError('authentication_required', 'missing API key');
        const request = decodeCountTokensRequest(req.body);
        return reply.send({ input_tokens: await countInputTokens(request) });
      } catch (error) {
        return fail(req, reply, error, anthropicMessagesProtocol);
      }
    },
  );
}
