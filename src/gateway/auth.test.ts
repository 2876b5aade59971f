import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe } from '../cli/commands/serve.js';
import { captureIo, tempDir } from '../testing/capture-io.js';
import { startGateway, type TestGateway } from '../testing/gateway-harness.js';
import {
  errorProblems,
  type GatewayEndpoint,
  header,
  POST_ENDPOINTS,
  send,
  streamProblems,
} from '../testing/gateway-http.js';

// Gateway keys (server.api_keys, allow_any_key): who gets in, in which header, what the refusal
// looks like in each protocol, and that a key never reaches the log.

const KEY = 'sk-nodex-test-key-0001';
const SECOND_KEY = 'sk-nodex-test-key-0002';
const WRONG_KEY = 'sk-nodex-wrong-key-9999';

const authorized = (key = KEY): Record<string, string> => ({ authorization: `Bearer ${key}` });

describe('gateway keys (allow_any_key: false)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway({
      config: { server: { allow_any_key: false, api_keys: [KEY, SECOND_KEY] }, exec: { model: 'mock' } },
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  /** A 401 in the endpoint's protocol shape, saying what was wrong. */
  async function expectUnauthorized(
    endpoint: GatewayEndpoint,
    headers: Record<string, string>,
    mentions: string,
    body: unknown = endpoint.body(),
  ): Promise<void> {
    const answer = await send(`${gw.url}${endpoint.path}`, { body, headers });
    expect(answer.status, answer.text).toBe(401);
    expect(header(answer, 'x-request-id')).not.toBe('');
    const { problems, parts } = errorProblems(endpoint.shape, answer);
    expect(problems).toEqual([]);
    if (endpoint.shape === 'openai')
      expect(parts).toMatchObject({ code: 'authentication_required', type: 'invalid_request_error' });
    else {
      expect(parts?.type).toBe('authentication_error');
      expect(header(answer, 'x-should-retry')).toBe('false');
    }
    expect(parts?.message).toContain(mentions);
    expect(parts?.message).not.toContain(WRONG_KEY);
  }

  describe.each(POST_ENDPOINTS)('POST $path', (endpoint) => {
    it('without a key: 401 in the protocol shape', async () => {
      await expectUnauthorized(endpoint, {}, 'missing API key');
    });

    it('with a wrong key (any header): 401 in the protocol shape', async () => {
      await expectUnauthorized(endpoint, authorized(WRONG_KEY), 'invalid API key');
      await expectUnauthorized(endpoint, { 'x-api-key': WRONG_KEY }, 'invalid API key');
      await expectUnauthorized(endpoint, { 'api-key': WRONG_KEY }, 'invalid API key');
      await expectUnauthorized(endpoint, authorized(`${KEY}x`), 'invalid API key');
      await expectUnauthorized(endpoint, authorized(KEY.slice(0, -1)), 'invalid API key');
    });

    it('with an empty or non-Bearer Authorization: 401', async () => {
      await expectUnauthorized(endpoint, { authorization: 'Bearer ' }, 'missing API key');
      await expectUnauthorized(endpoint, { authorization: `Basic ${KEY}` }, 'missing API key');
      await expectUnauthorized(endpoint, { 'x-api-key': '' }, 'missing API key');
    });

    it('the key is checked before the body: a bad body without a key is still a 401', async () => {
      await expectUnauthorized(endpoint, {}, 'missing API key', { model: 42, messages: 'x', tools: 5 });
      // Not even read: malformed JSON and a body far over the limit get the 401, not 400 / 413.
      await expectUnauthorized(endpoint, {}, 'missing API key', '{"model": ');
      await expectUnauthorized(
        endpoint,
        authorized(WRONG_KEY),
        'invalid API key',
        'x'.repeat(20 * 1024 * 1024),
      );
    });

    it.each([
      ['Authorization: Bearer', authorized()],
      ['authorization: bearer (any case)', { authorization: `bearer ${KEY}` }],
      ['x-api-key', { 'x-api-key': KEY }],
      ['api-key', { 'api-key': KEY }],
      ['the second configured key', { 'x-api-key': SECOND_KEY }],
    ])('a configured key in %s is accepted', async (_name, headers) => {
      const answer = await send(`${gw.url}${endpoint.path}`, { body: endpoint.body(), headers });
      expect(answer.status, answer.text).toBe(200);
      expect(endpoint.checkOk(JSON.parse(answer.text))).toBeUndefined();
    });
  });

  describe.each(POST_ENDPOINTS.filter((e) => e.stream))('POST $path streaming', (endpoint) => {
    it('streams with a key, and refuses a stream without one before any byte', async () => {
      const ok = await send(`${gw.url}${endpoint.path}`, {
        body: { ...endpoint.body(), stream: true },
        headers: { 'x-api-key': KEY },
      });
      expect(ok.status).toBe(200);
      expect(streamProblems(endpoint.stream ?? 'chat', ok)).toEqual([]);
      await expectUnauthorized(endpoint, {}, 'missing API key', { ...endpoint.body(), stream: true });
    });
  });

  it('GET /health needs no key', async () => {
    const answer = await send(`${gw.url}/health`);
    expect([answer.status, JSON.parse(answer.text)]).toEqual([200, { status: 'ok', version: 'test' }]);
  });

  it('GET /v1/models needs a key: 401 without one (OpenAI shape, Anthropic with anthropic-version)', async () => {
    const openai = await send(`${gw.url}/v1/models`);
    expect(openai.status).toBe(401);
    expect(errorProblems('openai', openai).problems).toEqual([]);
    const anthropic = await send(`${gw.url}/v1/models`, {
      headers: { 'anthropic-version': '2023-06-01', 'x-api-key': WRONG_KEY },
    });
    expect(anthropic.status).toBe(401);
    const { problems, parts } = errorProblems('anthropic', anthropic);
    expect(problems).toEqual([]);
    expect(parts?.type).toBe('authentication_error');
    const single = await send(`${gw.url}/v1/models/mock`);
    expect(single.status).toBe(401);
    expect(errorProblems('openai', single).problems).toEqual([]);
  });

  it('GET /v1/models with a key lists the models', async () => {
    const answer = await send(`${gw.url}/v1/models`, { headers: authorized() });
    expect(answer.status).toBe(200);
    const list = JSON.parse(answer.text) as { data: Array<{ id: string }> };
    expect(list.data.map((m) => m.id)).toContain('mock');
    const single = await send(`${gw.url}/v1/models/mock`, { headers: { 'api-key': SECOND_KEY } });
    expect([single.status, JSON.parse(single.text).id]).toEqual([200, 'mock']);
  });

  it('no key, right or wrong, ever appears in the log; the caller is logged by key id', async () => {
    // Requests that succeed, fail auth, and fail later, with keys in every header.
    for (const headers of [
      authorized(),
      { 'x-api-key': SECOND_KEY },
      authorized(WRONG_KEY),
      { 'api-key': WRONG_KEY },
    ])
      for (const endpoint of POST_ENDPOINTS) {
        await send(`${gw.url}${endpoint.path}`, { body: endpoint.body(), headers });
        await send(`${gw.url}${endpoint.path}`, {
          body: { ...endpoint.body(), model: 'no-such-model' },
          headers,
        });
      }
    const text = gw.logText();
    expect(text).not.toBe('');
    for (const secret of [KEY, SECOND_KEY, WRONG_KEY, KEY.slice(3), WRONG_KEY.slice(3)])
      expect(text).not.toContain(secret);
    const keyIds = new Set(gw.logs.map((line) => line.key_id));
    expect(keyIds).toContain('static_0');
    expect(keyIds).toContain('static_1');
    const refused = gw.logs.filter((line) => line.error_code === 'authentication_required');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((line) => line.status === 401 && line.key_id === undefined)).toBe(true);
  });
});

describe('gateway keys: none configured, allow_any_key false', () => {
  it('every protocol request is a 401', async () => {
    const gw = await startGateway({ config: { server: { allow_any_key: false }, exec: { model: 'mock' } } });
    try {
      for (const endpoint of POST_ENDPOINTS) {
        const answer = await send(`${gw.url}${endpoint.path}`, {
          body: endpoint.body(),
          headers: authorized(),
        });
        expect(answer.status).toBe(401);
        expect(errorProblems(endpoint.shape, answer).problems).toEqual([]);
      }
    } finally {
      await gw.close();
    }
  });
});

describe('allow_any_key: true (development mode)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway({
      config: { server: { allow_any_key: true, api_keys: [KEY] }, exec: { model: 'mock' } },
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it.each(POST_ENDPOINTS)('POST $path accepts any key, and none', async (endpoint) => {
    for (const headers of [{}, authorized(WRONG_KEY), { 'x-api-key': 'anything' }, { 'api-key': KEY }]) {
      const answer = await send(`${gw.url}${endpoint.path}`, { body: endpoint.body(), headers });
      expect(answer.status, answer.text).toBe(200);
    }
    const models = await send(`${gw.url}/v1/models`, { headers: authorized(WRONG_KEY) });
    expect(models.status).toBe(200);
  });

  it('logs callers as anonymous and never the key', async () => {
    await send(`${gw.url}/v1/responses`, {
      body: { model: 'mock', input: 'hi' },
      headers: authorized(WRONG_KEY),
    });
    const requests = gw.logs.filter((line) => line.msg === 'request');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((line) => line.key_id === 'anonymous')).toBe(true);
    expect(gw.logText()).not.toContain(WRONG_KEY);
  });
});

describe('nodex serve: startup warnings about keys', () => {
  /** Runs `nodex serve` on port 0 until its gateway answers, then stops it; returns its stderr. */
  async function serve(
    options: { readonly allowAnyKey?: boolean },
    env: Record<string, string> = {},
  ): Promise<{ stderr: string; status: number }> {
    const dir = tempDir();
    const stop = new AbortController();
    const io = captureIo(dir.path, env, stop.signal);
    try {
      const running = runServe({ listen: '127.0.0.1:0', ...options }, io.io);
      let url: string | undefined;
      for (let i = 0; i < 200 && !url; i++) {
        url = /listening on (\S+)/.exec(io.stdout())?.[1];
        if (!url) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(url).toBeDefined();
      const answer = await send(`${url}/v1/responses`, {
        body: { model: 'mock', input: 'hi' },
        headers: authorized(WRONG_KEY),
      });
      stop.abort();
      expect(await running).toBe(0);
      return { stderr: io.stderr(), status: answer.status };
    } finally {
      stop.abort();
      dir.cleanup();
    }
  }

  it('--allow-any-key says loudly that anyone can use the gateway, and any key works', async () => {
    const { stderr, status } = await serve({ allowAnyKey: true });
    expect(stderr).toMatch(/^WARNING: allow_any_key is on: ANY client on this machine can use/m);
    expect(status).toBe(200);
  });

  it('without keys or allow_any_key it warns that every request will get 401', async () => {
    const { stderr, status } = await serve({});
    expect(stderr).toContain('no API keys configured');
    expect(stderr).not.toContain('WARNING: allow_any_key');
    expect(status).toBe(401);
  });
});
