import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codexUpstream, type MatrixUpstream } from './e2e-upstreams.js';
import { fakeJwt } from './fake-codex.js';
import { startGateway, type TestGateway } from './gateway-harness.js';

/** A gateway with traces and the audit log on, over a fake Codex backend whose login holds known secrets. */
export interface TracedGateway {
  readonly gw: TestGateway;
  readonly upstream: MatrixUpstream;
  /** A gateway key (`nk-…`) labelled `tracer`, and its id. */
  readonly key: string;
  readonly keyId: string;
  /** The bearer the gateway sends upstream, and the refresh token beside it in auth.json. */
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tracePath: string;
  readonly auditPath: string;
  /** The raw config given to the gateway (with the trace and audit paths). */
  readonly config: Record<string, unknown>;
  /** Every line of the trace (after `gw.close()`, or a flush), parsed. */
  traceLines(): Array<Record<string, unknown>>;
  auditLines(): Array<Record<string, unknown>>;
  /** Stops the gateway (flushing the trace and audit files) and the fake; once. */
  close(): Promise<void>;
}

function jsonLines(path: string): Array<Record<string, unknown>> {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Starts a fake Codex backend and a gateway (keys required) with `server.trace` and
 * `server.audit` in `dir`, and adds one gateway key.
 *
 * @example
 * const t = await startTracedGateway(home.path);
 * const openai = new OpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: t.key });
 */
export async function startTracedGateway(
  dir: string,
  extra: { readonly server?: Record<string, unknown>; readonly config?: Record<string, unknown> } = {},
): Promise<TracedGateway> {
  const upstream = await codexUpstream(dir);
  const accessToken = fakeJwt({
    exp: Math.floor(Date.now() / 1000) + 3600,
    'https://api.openai.com/auth': { chatgpt_account_id: 'acct_traced' },
  });
  const refreshToken = 'rt_traced_refresh_secret_0123456789';
  mkdirSync(join(dir, '.codex'), { recursive: true });
  writeFileSync(
    join(dir, '.codex', 'auth.json'),
    JSON.stringify({
      tokens: { access_token: accessToken, refresh_token: refreshToken, id_token: accessToken },
    }),
  );
  const tracePath = join(dir, 'logs', 'trace.jsonl');
  const auditPath = join(dir, 'logs', 'audit.jsonl');
  const config = {
    ...upstream.config,
    ...extra.config,
    server: {
      allow_any_key: false,
      trace: { path: tracePath },
      audit: { path: auditPath },
      ...extra.server,
    },
  };
  const gw = await startGateway({ config, env: { ...upstream.env, HOME: dir }, home: dir });
  const issued = await gw.services.admin.keys.add({ label: 'tracer' });
  let closing: Promise<void> | undefined;
  return {
    gw,
    upstream,
    key: issued.key,
    keyId: issued.record.id,
    accessToken,
    refreshToken,
    tracePath,
    auditPath,
    config,
    traceLines: () => jsonLines(tracePath),
    auditLines: () => jsonLines(auditPath),
    close: () => {
      closing ??= (async () => {
        await gw.close();
        await upstream.close();
      })();
      return closing;
    },
  };
}
