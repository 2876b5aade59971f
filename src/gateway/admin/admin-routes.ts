import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { InvalidRequestError, NodexError, toNodexError } from '../../core/errors.js';
import type { AdminApi, UpdateKeyInput } from './admin-api.js';
import { AddKeyBody, AddTokensBody, ResetBody, UpdateKeyBody, usageQueryFrom } from './admin-schemas.js';

/** The admin error body: `{error:{message,type:'admin_error',code}}`. */
function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const typed = toNodexError(error);
  return reply
    .status(typed.status)
    .send({ error: { message: typed.message, type: 'admin_error', code: typed.code } });
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || 'body';
  throw new InvalidRequestError(`${path}: ${issue?.message ?? 'invalid'}`, { param: path });
}

function sameToken(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Drops undefined fields (the API's optional inputs must be absent, not undefined). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The admin API's routes over an AdminApi. `token`: when set (the TCP listener), every route but
 * `/admin/health` needs `Authorization: Bearer <token>`; the unix socket has none (its 0600 mode is
 * the guard).
 */
export function registerAdminRoutes(app: FastifyInstance, api: AdminApi, token?: string): void {
  if (token !== undefined) {
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.url === '/admin/health') return;
      const header = req.headers.authorization;
      const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      if (!sameToken(token, presented))
        return sendError(reply, new NodexError('authentication_required', 'admin token required'));
    });
  }
  app.setErrorHandler((error, _req, reply) => {
    const code = (error as { code?: string }).code;
    if (code?.startsWith('FST_ERR_CTP'))
      return sendError(reply, new InvalidRequestError(`bad request body: ${(error as Error).message}`));
    return sendError(reply, error);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new NodexError('not_found', `no admin route ${req.method} ${req.url.split('?')[0]}`)),
  );

  const handle =
    <P>(run: (req: FastifyRequest<{ Params: P }>) => Promise<unknown>, status = 200) =>
    async (req: FastifyRequest<{ Params: P }>, reply: FastifyReply) => {
      try {
        const result = await run(req);
        return result === undefined ? reply.status(204).send() : reply.status(status).send(result);
      } catch (error) {
        return sendError(reply, error);
      }
    };
  type Id = { id: string };

  app.get('/admin/health', async () => ({ status: 'ok' }));
  app.get(
    '/admin/keys',
    handle(async (req) => {
      const all = (req.query as Record<string, string | undefined>).all;
      return { data: await api.keys.list({ includeRevoked: all === '1' || all === 'true' }) };
    }),
  );
  app.post(
    '/admin/keys',
    handle(async (req) => api.keys.add(defined(parse(AddKeyBody, req.body))), 201),
  );
  app.get(
    '/admin/keys/:id',
    handle<Id>(async (req) => api.keys.get(req.params.id)),
  );
  const update = handle<Id>(async (req) =>
    api.keys.update(req.params.id, defined(parse(UpdateKeyBody, req.body)) as UpdateKeyInput),
  );
  app.patch('/admin/keys/:id', update);
  app.post(
    '/admin/keys/:id/policy',
    handle<Id>(async (req) =>
      api.keys.update(req.params.id, { policy: parse(UpdateKeyBody.shape.policy.unwrap(), req.body) }),
    ),
  );
  app.post(
    '/admin/keys/:id/revoke',
    handle<Id>(async (req) => api.keys.revoke(req.params.id)),
  );
  app.post(
    '/admin/keys/:id/rotate',
    handle<Id>(async (req) => api.keys.rotate(req.params.id)),
  );
  app.post(
    '/admin/keys/:id/add-tokens',
    handle<Id>(async (req) => api.keys.addTokens(req.params.id, parse(AddTokensBody, req.body).tokens)),
  );
  app.get(
    '/admin/usage',
    handle(async (req) => ({
      data: await api.usage.list(usageQueryFrom(req.query as Record<string, string>)),
    })),
  );
  app.get(
    '/admin/usage/:id',
    handle<Id>(async (req) => {
      const { keyId: _ignored, ...query } = usageQueryFrom(req.query as Record<string, string>);
      return api.usage.show(req.params.id, query);
    }),
  );
  app.post(
    '/admin/usage/reset',
    handle(async (req) => {
      await api.usage.reset(parse(ResetBody, req.body).key_id);
      return undefined;
    }),
  );
}
