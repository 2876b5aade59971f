import type { FastifyInstance } from 'fastify';
import { NodexError } from '../../core/errors.js';
import type { FunctionCallItem } from '../../core/request.js';
import { responsesResponseId } from '../../protocols/openai-responses/encode-response.js';
import { openaiResponsesProtocol } from '../../protocols/openai-responses/index.js';
import type { GatewayContext } from '../gateway-context.js';
import { type RequestState, runPipeline } from '../pipeline.js';
import { SessionCache } from '../session-cache.js';

const keyOf = (state: RequestState): string => state.caller?.keyId ?? 'anonymous';

function previousIdOf(state: RequestState): string | undefined {
  const id = state.decoded?.extras?.previousResponseId;
  return typeof id === 'string' ? id : undefined;
}

function sessionOf(state: RequestState): string {
  return SessionCache.keyFor(keyOf(state), state.http.headers, state.decoded?.request.user, state.http.ip);
}

/**
 * `POST /v1/responses`: the shared pipeline plus what stateless upstreams lack. Before the call,
 * `previous_response_id` is replaced by the stored conversation, then the session repairs what
 * Responses clients leave out (instructions, the call of an orphaned tool output; seeds-spec
 * §A.11–A.12). After a complete answer its turn is stored (unless `store: false`) and its tool calls
 * are remembered for the session.
 */
export function registerResponsesRoute(app: FastifyInstance, ctx: GatewayContext): void {
  app.post('/v1/responses', { config: { protocol: openaiResponsesProtocol } }, (req, reply) =>
    runPipeline(openaiResponsesProtocol, 'responses', req, reply, ctx, {
      prepare: (request, state) => {
        const previous = previousIdOf(state);
        let full = request;
        if (previous) {
          const history = ctx.history.chain(keyOf(state), previous);
          if (!history)
            throw new NodexError(
              'not_found',
              `previous response "${previous}" is not stored on this gateway (responses are kept ${Math.round(ctx.history.ttlMs / 60_000)} minutes, and only when store is not false)`,
              { param: 'previous_response_id' },
            );
          full = { ...request, input: [...history, ...request.input] };
        }
        return ctx.sessions.repair(sessionOf(state), full, (warning) => state.warnings.push(warning));
      },
      completed: (response, state) => {
        ctx.sessions.rememberCalls(
          sessionOf(state),
          response.output.filter((item): item is FunctionCallItem => item.type === 'function_call'),
        );
        if (state.decoded?.extras?.store === false) return;
        const previous = previousIdOf(state);
        ctx.history.save(keyOf(state), responsesResponseId(response, state.id), {
          ...(previous ? { previous } : {}),
          input: state.decoded?.request.input ?? [],
          output: response.output,
        });
      },
    }),
  );
}
