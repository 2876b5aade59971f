import { Agent, request } from 'undici';
import { isErrorCode } from '../../core/error-codes.js';
import { NodexError } from '../../core/errors.js';
import type { UsageQuery, UsageTotals } from '../../store/usage-store.js';
import type { AdminApi, IssuedKey, KeysApi, KeyView, UsageApi, UsageShow } from './admin-api.js';

export type AdminTarget = { readonly socketPath: string } | { readonly url: string; readonly token: string };

function query(q: Partial<UsageQuery> & { readonly all?: boolean }): string {
  const params = new URLSearchParams();
  if (q.keyId) params.set('key', q.keyId);
  if (q.since !== undefined) params.set('since', String(q.since));
  if (q.until !== undefined) params.set('until', String(q.until));
  if (q.groupBy) params.set('group_by', q.groupBy);
  if (q.all) params.set('all', '1');
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The admin API of a running gateway, over its unix socket (or TCP with the admin token): the same
 * AdminApi the CLI otherwise runs on the database directly, so both paths behave alike. Errors come
 * back as the NodexError the gateway raised.
 *
 * @example
 * const admin = new AdminClient({ socketPath: '/home/me/.nodex/admin.sock' });
 * const { key } = await admin.keys.add({ label: 'ci' });
 */
export class AdminClient implements AdminApi {
  readonly keys: KeysApi;
  readonly usage: UsageApi;
  readonly #dispatcher: Agent;
  readonly #origin: string;
  readonly #headers: Record<string, string>;

  constructor(target: AdminTarget, options: { readonly timeoutMs?: number } = {}) {
    const timeout = options.timeoutMs ?? 10_000;
    const socket = 'socketPath' in target ? { socketPath: target.socketPath } : {};
    this.#dispatcher = new Agent({
      ...socket,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout },
    });
    this.#origin = 'socketPath' in target ? 'http://admin' : target.url.replace(/\/+$/, '');
    this.#headers = 'token' in target ? { authorization: `Bearer ${target.token}` } : {};
    const call = <T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) =>
      this.#call<T>(method, path, body);
    const id = (value: string) => encodeURIComponent(value);
    this.keys = {
      add: (input) => call<IssuedKey>('POST', '/admin/keys', input),
      list: async (options = {}) =>
        (
          await call<{ data: KeyView[] }>(
            'GET',
            `/admin/keys${query({ all: options.includeRevoked === true })}`,
          )
        ).data,
      get: (keyId) => call<KeyView>('GET', `/admin/keys/${id(keyId)}`),
      update: (keyId, input) => call<KeyView>('PATCH', `/admin/keys/${id(keyId)}`, input),
      revoke: (keyId) => call<KeyView>('POST', `/admin/keys/${id(keyId)}/revoke`, {}),
      rotate: (keyId) => call<IssuedKey>('POST', `/admin/keys/${id(keyId)}/rotate`, {}),
      addTokens: (keyId, tokens) => call<KeyView>('POST', `/admin/keys/${id(keyId)}/add-tokens`, { tokens }),
    };
    this.usage = {
      list: async (q) => (await call<{ data: UsageTotals[] }>('GET', `/admin/usage${query(q)}`)).data,
      show: (keyId, q) => call<UsageShow>('GET', `/admin/usage/${id(keyId)}${query(q)}`),
      reset: async (keyId) => {
        await call<undefined>('POST', '/admin/usage/reset', keyId ? { key_id: keyId } : {});
      },
    };
  }

  /** Answers `/admin/health`; false when nothing listens. */
  async ping(): Promise<boolean> {
    try {
      await this.#call('GET', '/admin/health');
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.#dispatcher.close();
  }

  async #call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const answer = await request(`${this.#origin}${path}`, {
      method,
      dispatcher: this.#dispatcher,
      headers: { ...this.#headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await answer.body.text();
    if (answer.statusCode === 204) return undefined as T;
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (answer.statusCode >= 400) {
      const error = (parsed as { error?: { message?: string; code?: string } } | undefined)?.error;
      const code = error?.code && isErrorCode(error.code) ? error.code : 'internal_error';
      throw new NodexError(code, error?.message ?? `admin API answered ${answer.statusCode}`, {
        status: answer.statusCode,
      });
    }
    return parsed as T;
  }
}
