import { afterEach, describe, expect, it } from 'vitest';
import { StaticTokenSource } from '../../auth/token-source.js';
import { collectWarnings } from '../../core/warnings.js';
import { type FakeCodex, sentHeaders, startFakeCodex } from '../../testing/fake-codex.js';
import { CodexModelCatalog, parseCodexModels } from './codex-models.js';
import { CodexProvider } from './codex-provider.js';

const TOKEN = { accessToken: 'tok-live-123', accountId: 'acc-6f2c1a7e' };
const UA = 'codex_cli_rs/0.144.1 (Test OS 1.0; x86_64) nodex';

let fake: FakeCodex | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup() {
  fake = await startFakeCodex();
  const codex = new CodexProvider({
    baseUrl: fake.baseUrl,
    tokenSource: new StaticTokenSource(TOKEN),
    userAgent: UA,
  });
  return { fake, codex };
}

const HEADERS = {
  authorization: 'Bearer tok-live-123',
  'chatgpt-account-id': 'acc-6f2c1a7e',
  originator: 'codex_cli_rs',
  'user-agent': UA,
  version: '0.144.1',
  accept: 'application/json',
  'content-type': 'application/json',
};

describe('parseCodexModels', () => {
  it('reads codex-rs {models:[{slug}]} and OpenAI {data:[{id}]} lists; undefined otherwise', () => {
    expect(parseCodexModels({ models: [{ slug: 'a', display_name: 'A' }, { nope: 1 }] }, 'codex')).toEqual([
      { id: 'a', provider: 'codex', display_name: 'A' },
    ]);
    expect(parseCodexModels({ data: [{ id: 'b', created: 5 }] }, 'codex')).toEqual([
      { id: 'b', provider: 'codex', created_at: 5 },
    ]);
    expect(parseCodexModels({ detail: 'x' }, 'codex')).toBeUndefined();
  });
});

describe('CodexModelCatalog', () => {
  it('caches a discovered list for the TTL, then asks again; failures are not cached', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const catalog = new CodexModelCatalog({
      provider: 'codex',
      now: () => now,
      fetchModels: async () => {
        calls += 1;
        if (fail) throw new Error('offline');
        return { models: [{ slug: `m${calls}` }] };
      },
    });
    expect((await catalog.list()).map((m) => m.id)).toEqual(['m1']);
    now = 299_999;
    expect((await catalog.list()).map((m) => m.id)).toEqual(['m1']);
    now = 300_000;
    fail = true;
    const { warnings, sink } = collectWarnings();
    expect((await catalog.list({ onWarning: sink })).map((m) => m.id)).toContain('gpt-5.5');
    expect(warnings).toEqual([
      {
        feature: 'models.discovery',
        details: 'codex: model discovery failed (offline); using the built-in list',
      },
    ]);
    fail = false;
    expect((await catalog.list()).map((m) => m.id)).toEqual(['m3']);
    expect(calls).toBe(3);
  });
});

describe('CodexProvider: models', () => {
  it('discovers GET {base}/models?client_version=…, caches it, and falls back to the static list', async () => {
    const { fake, codex } = await setup();
    const models = await codex.listModels();
    expect(models).toEqual([
      { id: 'gpt-5.5', provider: 'codex', display_name: 'GPT-5.5' },
      { id: 'gpt-5.4-mini', provider: 'codex', display_name: 'GPT-5.4 mini' },
    ]);
    expect(await codex.listModels()).toBe(models);
    const gets = fake.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.url)).toEqual(['/backend-api/codex/models?client_version=0.144.1']);
    expect(sentHeaders(gets[0])).toEqual(HEADERS);

    fake.script({
      method: 'GET',
      path: '/backend-api/codex/models',
      reply: { status: 500, json: { detail: 'boom' } },
    });
    const fresh = new CodexProvider({
      baseUrl: fake.baseUrl,
      tokenSource: new StaticTokenSource(TOKEN),
      models: ['only-this'],
    });
    const { warnings, sink } = collectWarnings();
    expect(await fresh.listModels({ onWarning: sink })).toEqual([{ id: 'only-this', provider: 'codex' }]);
    expect(warnings).toEqual([
      {
        feature: 'models.discovery',
        details: 'codex: model discovery failed (codex answered 500: boom); using the built-in list',
      },
    ]);
    const offline = new CodexProvider({
      baseUrl: fake.baseUrl,
      tokenSource: new StaticTokenSource(TOKEN),
      discoverModels: false,
    });
    expect((await offline.listModels()).map((m) => m.id)).toContain('gpt-5.5');
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('capabilities: reasoning, tools, images, json_schema; no temperature or max_output_tokens', () => {
    const codex = new CodexProvider({
      baseUrl: 'http://127.0.0.1:9',
      tokenSource: new StaticTokenSource(TOKEN),
    });
    expect(codex.capabilities()).toEqual({
      streaming: true,
      tools: true,
      parallel_tool_calls: true,
      images: true,
      reasoning: true,
      json_schema: true,
      temperature: false,
      max_output_tokens: false,
    });
  });

  it('capabilities carry the context window that discovery reported for a model', async () => {
    const fake = await startFakeCodex({
      models: { models: [{ slug: 'gpt-5.5', context_window: 272_000 }, { slug: 'gpt-5.4' }] },
    });
    try {
      const codex = new CodexProvider({ baseUrl: fake.baseUrl, tokenSource: new StaticTokenSource(TOKEN) });
      expect(codex.capabilities('gpt-5.5').context_window).toBeUndefined();
      await codex.listModels();
      expect(codex.capabilities('gpt-5.5').context_window).toBe(272_000);
      expect(codex.capabilities('gpt-5.4').context_window).toBeUndefined();
    } finally {
      await fake.close();
    }
  });
});
