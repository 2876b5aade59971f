import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ConfigSchema } from '../config/schema.js';
import type { Provider } from '../core/provider.js';
import { createGateway, type Gateway } from '../gateway/create-gateway.js';
import { type GatewayServices, openGatewayServices } from '../gateway/gateway-services.js';
import { REDACT_PATHS } from '../gateway/logger.js';
import { buildProviders } from '../providers/registry.js';

export interface TestGateway {
  readonly url: string;
  readonly gateway: Gateway;
  /** Its keys, limits and meter (to add a key, read usage). */
  readonly services: GatewayServices;
  /** Where its nodex.db lives. */
  readonly stateDir: string;
  /** Every log line, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** The raw log text (to grep for secrets). */
  logText(): string;
  close(graceMs?: number): Promise<void>;
}

export interface TestGatewayOptions {
  /** Raw config (as in the YAML file); `server.listen` is ignored. */
  readonly config?: Record<string, unknown>;
  /** The environment providers read (API keys, CODEX_HOME, …). */
  readonly env?: Record<string, string>;
  /** Extra providers (a ScriptedProvider): each serves `<id>` and `<id>-*`. */
  readonly providers?: readonly Provider[];
  readonly home?: string;
  /** Serve the admin API on a unix socket in the state directory. */
  readonly admin?: boolean;
  /** Where nodex.db (and the admin socket) live; default a fresh temporary directory. */
  readonly stateDir?: string;
}

/**
 * Starts a real gateway on 127.0.0.1 (port 0) from a config, the way `nodex serve` does, with its
 * log captured. Defaults: `allow_any_key` on, no keep-alive, a 1 s shutdown grace.
 *
 * @example
 * const gw = await startGateway({ config: { providers: { codex: { base_url: fake.baseUrl } } } });
 * const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any' });
 */
export async function startGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const raw = options.config ?? {};
  const server = (raw.server as Record<string, unknown> | undefined) ?? {};
  const config = ConfigSchema.parse({
    ...raw,
    server: { allow_any_key: true, keepalive_interval: 0, shutdown_grace: 1000, ...server },
  });
  const env = { HOME: options.home ?? '/nonexistent-home', ...options.env };
  const ownState = options.stateDir === undefined ? mkdtempSync(join(tmpdir(), 'nodex-gw-')) : undefined;
  const stateDir = options.stateDir ?? ownState ?? '';
  const services = await openGatewayServices(config, { home: stateDir });
  const built = buildProviders(config, {
    env,
    home: `${env.HOME}/.nodex`,
    ...(services.refreshLock ? { refreshLock: services.refreshLock } : {}),
  });
  const providers = new Map(built.providers);
  for (const provider of options.providers ?? []) providers.set(provider.id, provider);
  const entries = [
    ...(options.providers ?? []).map((p) => ({ id: p.id, kind: p.kind, patterns: [p.id, `${p.id}-*`] })),
    ...built.entries,
  ];
  let text = '';
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const log = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const gateway = createGateway({
    config,
    providers: { providers, entries, skipped: built.skipped },
    log,
    version: 'test',
    services,
    ...(options.admin ? { adminSocket: join(stateDir, 'admin.sock') } : {}),
  });
  const url = await gateway.listen('127.0.0.1', 0);
  return {
    url,
    gateway,
    services,
    stateDir,
    logs,
    logText: () => text,
    close: async (graceMs = 1000) => {
      await gateway.close(graceMs);
      if (ownState) rmSync(ownState, { recursive: true, force: true });
    },
  };
}
