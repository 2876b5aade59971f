import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { type FakeCodex, startFakeCodex } from '../../testing/fake-codex.js';
import { type FakeOpenAIAuth, startFakeOpenAIAuth } from '../../testing/fake-openai-auth.js';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';
import { usePgServer } from '../../testing/pg-server.js';
import { type RedisServer, startRedisServer } from '../../testing/redis-server.js';

// Three gateway instances sharing their state, as behind a load balancer (docs/deployment.md):
// keys and usage in PostgreSQL, limits, key changes and the OAuth refresh lock in Redis. Each
// instance has its own services, caches, connections and providers, as separate processes would.

const pg = usePgServer();
let redis: RedisServer;
let cluster: TestGateway[] = [];
/** The config every instance of the current cluster runs. */
let shared: { state: unknown; limits: unknown } = { state: {}, limits: {} };
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await Promise.all(cluster.map((gw) => gw.close(0)));
  cluster = [];
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startCluster(extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const url = await pg().createDatabase();
  const config = {
    ...extra,
    server: { allow_any_key: false },
    state: { driver: 'postgres', url },
    limits: { driver: 'redis', url: redis.url },
  };
  shared = config;
  // One at a time would hide a migration race: start them together, as a rollout does.
  cluster = await Promise.all([0, 1, 2].map(() => startGateway({ config, env })));
  return cluster;
}

const chatBody = (extra: Record<string, unknown> = {}, model = 'mock-text') =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

async function chat(gw: TestGateway, key: string, body = chatBody(), dispatcher?: Agent) {
  const answer = await request(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
    ...(dispatcher ? { dispatcher } : {}),
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

describe('three instances sharing PostgreSQL and Redis', () => {
  it('rpm 50 under 200 requests spread over the instances: exactly 50 succeed', async () => {
    const [a] = await startCluster();
    const { key } = await (a as TestGateway).services.admin.keys.add({
      label: 'shared',
      policy: { rpm: 50 },
    });
    const dispatcher = new Agent({ connections: 200 });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => chat(cluster[i % 3] as TestGateway, key, chatBody(), dispatcher)),
    );
    await dispatcher.close();
    expect(answers.filter((r) => r.status === 200)).toHaveLength(50);
    const limited = answers.filter((r) => r.status === 429);
    expect(limited).toHaveLength(150);
    for (const answer of limited) {
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'rate_limited' } });
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // Every instance turned some away: the limit is one budget, not three.
    for (let i = 0; i < 3; i++) expect(answers.some((r, j) => j % 3 === i && r.status === 429)).toBe(true);
  });

  it('usage totals equal the sum of what every instance served', async () => {
    const [a] = await startCluster();
    const { key, record } = await (a as TestGateway).services.admin.keys.add({ label: 'metered' });
    let served = 0;
    const answers = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const stream = i % 2 === 1;
        const body = chatBody(stream ? { stream, stream_options: { include_usage: true } } : {});
        const answer = await chat(cluster[i % 3] as TestGateway, key, body);
        expect(answer.status).toBe(200);
        if (!stream)
          return (JSON.parse(answer.text) as { usage: { total_tokens: number } }).usage.total_tokens;
        const last = answer.text
          .split('\n')
          .filter((line) => line.startsWith('data: {') && line.includes('"usage":{'))
          .at(-1);
        return (JSON.parse((last as string).slice(6)) as { usage: { total_tokens: number } }).usage
          .total_tokens;
      }),
    );
    served = answers.reduce((sum, n) => sum + n, 0);
    expect(served).toBeGreaterThan(0);
    // Read through each instance: one database, one answer.
    for (const gw of cluster) {
      const shown = await gw.services.admin.usage.show(record.id, {});
      expect(shown.totals.reduce((sum, t) => sum + t.requests, 0)).toBe(30);
      expect(shown.totals.reduce((sum, t) => sum + t.total_tokens, 0)).toBe(served);
    }
  });

  it('a key revoked on one instance is rejected by the others within a second', async () => {
    const [a, b, c] = (await startCluster()) as [TestGateway, TestGateway, TestGateway];
    const { key, record } = await a.services.admin.keys.add({ label: 'soon revoked' });
    // Every instance has the key in its cache.
    for (const gw of [a, b, c]) expect((await chat(gw, key)).status).toBe(200);
    await a.services.admin.keys.revoke(record.id);
    expect((await chat(a, key)).status).toBe(401);
    for (const gw of [b, c]) {
      await vi.waitFor(
        async () => {
          expect((await chat(gw, key)).status).toBe(401);
        },
        { timeout: 1000, interval: 20 },
      );
    }
  });

  it('a key revoked by `nodex keys revoke` on the database is rejected by every instance at once', async () => {
    const [a, b, c] = (await startCluster()) as [TestGateway, TestGateway, TestGateway];
    const { key, record } = await a.services.admin.keys.add({ label: 'revoked from the CLI' });
    for (const gw of [a, b, c]) expect((await chat(gw, key)).status).toBe(200);
    // A machine with the same config and no gateway socket: the CLI works on PostgreSQL directly.
    const home = tempDir('nodex-cluster-cli-');
    cleanups.push(() => home.cleanup());
    const configPath = join(home.path, 'nodex.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({ state: shared.state, limits: shared.limits, server: { admin_socket: '' } }),
    );
    const io = captureIo(home.path, { HOME: home.path, NODEX_HOME: home.path });
    expect(await runCli(['--config', configPath, 'keys', 'revoke', record.id], io.io)).toBe(0);
    // The caches were filled just now and would keep the key for most of a second: the broadcast
    // is what makes all three refuse it long before that.
    await Promise.all(
      [a, b, c].map((gw) =>
        vi.waitFor(async () => expect((await chat(gw, key)).status).toBe(401), {
          timeout: 400,
          interval: 20,
        }),
      ),
    );
  });

  it('an expired OAuth token used by every instance at once is refreshed exactly once', async () => {
    const auth: FakeOpenAIAuth = await startFakeOpenAIAuth();
    const codex: FakeCodex = await startFakeCodex();
    const home = tempDir('nodex-cluster-login-');
    cleanups.push(
      () => auth.close(),
      () => codex.close(),
      () => home.cleanup(),
    );
    // One login for all instances (a shared volume), its access token expired a minute ago.
    const tokens = auth.issueTokens({ expiresIn: -60 });
    const codexHome = join(home.path, '.codex');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(
      join(codexHome, 'auth.json'),
      JSON.stringify({
        tokens: {
          id_token: tokens.id_token,
          access_token: tokens.access_token,
          refresh_token: tokens.refresh_token,
          account_id: 'acct_cluster',
        },
      }),
      { mode: 0o600 },
    );
    await startCluster(
      { providers: { codex: { base_url: codex.baseUrl, oauth: auth.config() } } },
      { CODEX_HOME: codexHome, HOME: home.path },
    );
    const { key } = await (cluster[0] as TestGateway).services.admin.keys.add({ label: 'codex' });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => chat(cluster[i % 3] as TestGateway, key, chatBody({}, 'gpt-5.5'))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(auth.counts.refresh).toBe(1);
    const saved = JSON.parse(readFileSync(join(codexHome, 'auth.json'), 'utf8')) as {
      tokens: { access_token: string; refresh_token: string };
    };
    expect(saved.tokens.refresh_token).not.toBe(tokens.refresh_token);
    // Every upstream call, from every instance, carried the one refreshed token.
    const bearers = new Set(codex.responses().map((r) => r.headers.authorization));
    expect([...bearers]).toEqual([`Bearer ${saved.tokens.access_token}`]);
  });

  it('Redis restarted mid-run: limited keys fail closed, then every instance recovers by itself', async () => {
    const [a] = (await startCluster()) as [TestGateway];
    const limited = await a.services.admin.keys.add({ label: 'limited', policy: { rpm: 1000 } });
    const free = await a.services.admin.keys.add({ label: 'unlimited' });
    for (const gw of cluster) expect((await chat(gw, limited.key)).status).toBe(200);

    await redis.stop();
    for (const gw of cluster) {
      const refused = await chat(gw, limited.key);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'limits_unavailable' } });
      // A key without limits does not need the counters.
      expect((await chat(gw, free.key)).status).toBe(200);
      const metrics = await (await request(`${gw.url}/metrics`)).body.text();
      expect(metrics).toMatch(/^nodex_limit_store_available 0$/m);
    }

    await redis.restart();
    for (const gw of cluster) {
      await vi.waitFor(
        async () => {
          expect((await chat(gw, limited.key)).status).toBe(200);
        },
        { timeout: 10_000, interval: 100 },
      );
      const metrics = await (await request(`${gw.url}/metrics`)).body.text();
      expect(metrics).toMatch(/^nodex_limit_store_available 1$/m);
    }
    // Key changes flow again after the reconnect.
    await a.services.admin.keys.revoke(limited.record.id);
    for (const gw of cluster.slice(1)) {
      await vi.waitFor(async () => expect((await chat(gw, limited.key)).status).toBe(401), {
        timeout: 1000,
        interval: 20,
      });
    }
  }, 30_000);
});

describe('start-up', () => {
  it('an unreachable database or Redis stops start-up with a clear error, password masked', async () => {
    await expect(
      startGateway({
        config: { state: { driver: 'postgres', url: 'postgres://nodex:s3cret-pw@127.0.0.1:1/nodex' } },
      }),
    ).rejects.toThrow(/^(?!.*s3cret-pw).*127\.0\.0\.1:1/s);
    await expect(
      startGateway({ config: { limits: { driver: 'redis', url: 'redis://:s3cret-pw@127.0.0.1:1/0' } } }),
    ).rejects.toThrow(/^(?!.*s3cret-pw).*127\.0\.0\.1:1/s);
    await expect(startGateway({ config: { limits: { driver: 'redis' } } })).rejects.toThrow(/limits\.url/);
    await expect(startGateway({ config: { state: { driver: 'postgres' } } })).rejects.toThrow(/state\.url/);
  });
});
