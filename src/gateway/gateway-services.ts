import { join, resolve } from 'node:path';
import { expandHome, nodexHome } from '../config/paths.js';
import type { KeyPolicy, NodexConfig } from '../config/schema.js';
import { NodexError } from '../core/errors.js';
import type { KeyStore } from '../store/key-store.js';
import type { LimitStore } from '../store/limit-store.js';
import type { UsageStore } from '../store/usage-store.js';
import type { AdminApi, KeysApi } from './admin/admin-api.js';
import { effectivePolicy, LocalKeysApi } from './admin/key-admin.js';
import { type KeyQuota, LocalUsageApi } from './admin/usage-admin.js';
import { KeyAuthenticator } from './key-auth.js';
import { Limiter } from './limits/limiter.js';
import { Meter } from './metering/meter.js';
import { createTokenMeter } from './payments/payments.js';
import type { TokenMeterClient } from './payments/token-meter.js';
import { type LimitsHealth, openSharedLimits, type SharedLock } from './shared-limits.js';
import { openStateStores } from './state-stores.js';

/** Everything stateful the gateway runs on: stores, the authenticator, limiter, meter, payments. */
export interface GatewayServices {
  readonly keys: KeyStore;
  readonly usage: UsageStore;
  readonly limits: LimitStore;
  readonly auth: KeyAuthenticator;
  readonly limiter: Limiter;
  readonly meter: Meter;
  readonly payments?: TokenMeterClient;
  /** The admin API as the gateway serves it (key changes reach every instance's authenticator at once). */
  readonly admin: AdminApi;
  /** Whether the limit store answers (`/metrics`). */
  readonly limitsHealth: () => LimitsHealth;
  /** With `limits.driver: redis`: one OAuth refresh at a time across instances (for the providers). */
  readonly refreshLock?: SharedLock;
  /** The effective quota of a key id (static and any-key callers get the default policy's). */
  quotaOf(keyId: string): Promise<KeyQuota | undefined>;
  /** Flushes usage and last-used times, then closes the database. */
  close(): Promise<void>;
}

export interface ServicesOptions {
  /** NODEX_HOME: where nodex.db lives unless `state.path` says otherwise. */
  readonly home: string;
  /** Failures that never fail a request (a usage flush retried, a last-used write). */
  readonly onError?: (error: unknown, what: string) => void;
}

/** Static config keys and development mode have no record: they get the default policy. */
const isRecordless = (keyId: string) => keyId === 'anonymous' || keyId.startsWith('static_');

/**
 * A key id's effective quota: its own policy over the default; static and any-key callers get the
 * default's. Rejects `not_found` for an id that is neither.
 *
 * @example
 * const quotaOf = quotaResolver(keys, config.keys.default_policy);
 * await quotaOf('static_0'); // the default policy's quota, or undefined
 */
export function quotaResolver(
  keys: KeyStore,
  defaults: KeyPolicy,
): (keyId: string) => Promise<KeyQuota | undefined> {
  return async (keyId) => {
    if (isRecordless(keyId)) return defaults.quota;
    const record = await keys.get(keyId);
    if (!record) throw new NodexError('not_found', `no key "${keyId}"`);
    return effectivePolicy(defaults, record.policy).quota;
  };
}

/**
 * The admin socket: `server.admin_socket` (with `~` expanded), else `NODEX_HOME/admin.sock`;
 * undefined when it is set to `""` (no socket).
 *
 * @example
 * adminSocketPath(config, process.env); // '/home/me/.nodex/admin.sock'
 */
export function adminSocketPath(
  config: NodexConfig,
  env: Record<string, string | undefined>,
): string | undefined {
  const configured = config.server.admin_socket;
  if (configured === '') return undefined;
  return configured === undefined ? join(nodexHome(env), 'admin.sock') : resolve(expandHome(configured, env));
}

/**
 * Wraps the keys API so each change drops the cached answer for that key, here and (through
 * `broadcast`) on every other instance; a broadcast that fails is reported, the others' caches
 * then expire within a second anyway.
 */
function invalidating(
  api: KeysApi,
  auth: KeyAuthenticator,
  broadcast: (ids: readonly string[]) => Promise<void>,
): KeysApi {
  return announcingChanges(api, async (id) => {
    auth.invalidate(id);
    await broadcast([id]);
  });
}

/**
 * The keys API with `changed(id)` called after every change to a key (update, revoke, rotate,
 * add-tokens), before the change's answer.
 *
 * @example
 * const keys = announcingChanges(new LocalKeysApi(store, defaults), (id) => shared.broadcast([id]));
 */
export function announcingChanges(api: KeysApi, changed: (id: string) => Promise<void>): KeysApi {
  const after =
    <A extends unknown[], R>(run: (id: string, ...rest: A) => Promise<R>) =>
    async (id: string, ...rest: A): Promise<R> => {
      const result = await run(id, ...rest);
      await changed(id);
      return result;
    };
  return {
    add: (input) => api.add(input),
    list: (options) => api.list(options),
    get: (id) => api.get(id),
    update: after((id, input) => api.update(id, input)),
    revoke: after((id) => api.revoke(id)),
    rotate: after((id) => api.rotate(id)),
    addTokens: after((id, tokens: number) => api.addTokens(id, tokens)),
  };
}

/**
 * Opens the gateway's state: keys and usage in one SQLite file (`state.path`, else
 * `NODEX_HOME/nodex.db`) or PostgreSQL (`state.driver: postgres`); rate-limit and quota counters in
 * process (`limits.driver: local`) or in Redis, which then also carries key changes to every
 * instance and the OAuth refresh lock. An engine that cannot be reached fails this at start.
 *
 * @example
 * const services = await openGatewayServices(config, { home: nodexHome(process.env) });
 * const gateway = createGateway({ config, providers, log, version, services });
 */
export async function openGatewayServices(
  config: NodexConfig,
  options: ServicesOptions,
): Promise<GatewayServices> {
  const onError = options.onError ?? (() => undefined);
  const state = await openStateStores(config, options.home, (error) => onError(error, 'database connection'));
  const shared = await openSharedLimits(config, { onError: (error) => onError(error, 'redis') }).catch(
    async (error: unknown) => {
      await state.close();
      throw error;
    },
  );
  const { keys, usage } = state;
  const limits = shared.store;
  const defaults: KeyPolicy = config.keys.default_policy;
  const quotaOf = quotaResolver(keys, defaults);
  const auth = new KeyAuthenticator({
    store: keys,
    staticKeys: config.server.api_keys,
    allowAnyKey: config.server.allow_any_key,
    defaultPolicy: defaults,
    onError: (error) => onError(error, 'key last-used write'),
  });
  const limiter = new Limiter({
    store: limits,
    committedTokens: (keyId, windowMs, now) => usage.window(keyId, windowMs, now),
    onError: (error) => onError(error, 'rate-limit settle'),
  });
  const windowCache = new Map<string, { readonly window: number | undefined; readonly at: number }>();
  const meter = new Meter({
    store: usage,
    history: config.usage.history,
    retentionMs: config.usage.retention,
    windowsFor: async (ids) => {
      const windows = new Map<string, number>();
      const now = Date.now();
      for (const id of new Set(ids)) {
        // Read at most once a second per key (as the key cache): not once per usage batch.
        let known = windowCache.get(id);
        if (!known || now - known.at >= 1000) {
          // A key that cannot be read keeps no window here; its tokens still reach the totals.
          const quota = await quotaOf(id).catch(() => undefined);
          known = { window: quota?.window, at: now };
          windowCache.set(id, known);
          if (windowCache.size > 10_000) windowCache.delete(windowCache.keys().next().value as string);
        }
        if (known.window !== undefined) windows.set(id, known.window);
      }
      return windows;
    },
    onError: (error, info) => onError(error, `usage ${info.during} (attempt ${info.attempt})`),
  });
  const payments = createTokenMeter(config.payments);
  const broadcast = async (ids: readonly string[]) => {
    await shared.broadcast?.(ids).catch((error: unknown) => onError(error, 'key change broadcast'));
  };
  await shared.listen((ids) => {
    if (ids === undefined) auth.invalidate();
    else for (const id of ids) auth.invalidate(id);
  });
  const admin: AdminApi = {
    keys: invalidating(new LocalKeysApi(keys, defaults), auth, broadcast),
    usage: new LocalUsageApi(usage, quotaOf),
  };
  return {
    keys,
    usage,
    limits,
    auth,
    limiter,
    meter,
    ...(payments ? { payments } : {}),
    admin,
    limitsHealth: shared.health,
    ...(shared.refreshLock ? { refreshLock: shared.refreshLock } : {}),
    quotaOf,
    close: async () => {
      await meter.close();
      await auth.close();
      await payments?.close();
      await shared.close();
      await state.close();
    },
  };
}
