import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load-config.js';
import { nodexHome } from '../config/paths.js';
import type { AdminConnection } from './commands/usage.js';
import type { CommandContext } from './run-cli.js';

/**
 * How `nodex keys` and `nodex usage` reach the keys and usage: through the running gateway's admin
 * socket when one answers there (so the gateway applies a change at once), else on the database
 * directly (the gateway, if it runs without a socket, sees it within a second). Either way one
 * database (the SQLite file, or PostgreSQL shared by every instance) holds the truth, so the two
 * paths cannot disagree.
 *
 * @example
 * const { api, close } = await connectAdmin(context, { config: undefined });
 */
export async function connectAdmin(
  context: CommandContext,
  globals: { readonly config?: string },
): Promise<AdminConnection & { readonly via: 'socket' | 'database' }> {
  const loaded = loadConfig({ path: globals.config, env: context.io.env });
  const { config } = loaded;
  const home = nodexHome(context.io.env);
  // Loaded here, not at start: only `nodex keys` / `nodex usage` need the stores and the client.
  const [
    { AdminClient },
    { LocalKeysApi },
    { LocalUsageApi },
    { adminSocketPath, announcingChanges, quotaResolver },
    { openStateStores },
    { openSharedLimits },
  ] = await Promise.all([
    import('../gateway/admin/admin-client.js'),
    import('../gateway/admin/key-admin.js'),
    import('../gateway/admin/usage-admin.js'),
    import('../gateway/gateway-services.js'),
    import('../gateway/state-stores.js'),
    import('../gateway/shared-limits.js'),
  ]);
  const socket = adminSocketPath(config, context.io.env);
  if (socket && existsSync(socket)) {
    const client = new AdminClient({ socketPath: socket }, { timeoutMs: 5000 });
    if (await client.ping()) return { api: client, close: () => client.close(), via: 'socket' };
    await client.close();
  }
  const state = await openStateStores(config, home);
  const defaults = config.keys.default_policy;
  const local = new LocalKeysApi(state.keys, defaults);
  // With Redis, running instances hear of the change at once (else within their 1 s key cache).
  const shared =
    config.limits.driver === 'redis'
      ? await openSharedLimits(config).catch(async (error: unknown) => {
          await state.close();
          throw error;
        })
      : undefined;
  const broadcast = shared?.broadcast;
  return {
    api: {
      keys: broadcast ? announcingChanges(local, (id) => broadcast([id])) : local,
      usage: new LocalUsageApi(state.usage, quotaResolver(state.keys, defaults)),
    },
    close: async () => {
      await shared?.close();
      await state.close();
    },
    via: 'database',
  };
}
