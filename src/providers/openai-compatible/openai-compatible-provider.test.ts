import { afterEach, describe, expect, it, vi } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext } from '../../core/provider.js';
import type { CanonicalRequest } from '../../core/request.js';
import { userText } from '../../core/request.js';
import { collectWarnings } from '../../core/warnings.js';
import {
  type FakeChatCompletions,
  type FakeChatOptions,
  startFakeChatCompletions,
} from '../../testing/fake-chat-completions.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import { toolCallProviderData } from './chat-provider-data.js';
import {
  OpenAICompatibleProvider,
  type OpenAICompatibleProviderOptions,
} from './openai-compatible-provider.js';

let fake: FakeChatCompletions | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  fakeOptions: FakeChatOptions = {},
  options: Partial<OpenAICompatibleProviderOptions> = {},
): Promise<{ fake: FakeChatCompletions; provider: OpenAICompatibleProvider }> {
  fake = await startFakeChatCompletions({ apiKey: 'sk-test-key-0001', ...fakeOptions });
  const provider = new OpenAICompatibleProvider({
    id: fakeOptions.dialect === 'gemini' ? 'gemini' : 'host',
    baseUrl: fake.baseUrl,
    dialect: fakeOptions.dialect ?? 'openai',
    apiKey: 'sk-test-key-0001',
    retryPolicy: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 60_000 },
    ...options,
  });
  return { fake, provider };
}

async function run(
  provider: OpenAICompatibleProvider,
  request: Partial<CanonicalRequest> = {},
  context: ProviderCallContext = {},
): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of provider.stream({ model: 'm-1', input: [userText('hi')], ...request }, context))
    events.push(event);
  return events;
}

async function failure(promise: Promise<unknown>): Promise<NodexError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!NodexError.isInstance(error)) throw new Error(`expected a NodexError, got ${String(error)}`);
  return error;
}

describe('errors before the first event', () => {
  it('401: upstream_unauthorized with the host message, the echoed key removed', async () => {
    const { provider } = await setup({}, { apiKey: 'sk-wrong-key-9999' });
    const error = await failure(run(provider));
    expect(error.code).toBe('upstream_unauthorized');
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toMatch(/sk-|9999/);
  });

  it("Gemini's invalid key (400 API_KEY_INVALID, array envelope) is upstream_unauthorized", async () => {
    const { provider } = await setup({ dialect: 'gemini' }, { apiKey: 'AIzaWrongWrongWrongWrong' });
    const error = await failure(run(provider));
    expect([error.code, error.message]).toEqual([
      'upstream_unauthorized',
      'gemini answered 400: API key not valid. Please pass a valid API key.',
    ]);
  });

  it("429: Gemini's RetryInfo and OpenAI's retry-after give retryAfterMs", async () => {
    const gemini = await setup({ dialect: 'gemini' });
    gemini.fake.enqueue({ mode: 'rate-limited', retryAfterSeconds: 7 });
    const error = await failure(run(gemini.provider, {}, { maxRetries: 0 }));
    expect([error.code, error.retryAfterMs, error.retryable]).toEqual(['upstream_rate_limited', 7000, true]);
    await gemini.fake.close();
    const openai = await setup();
    openai.fake.enqueue({ mode: 'rate-limited', retryAfterSeconds: 3 });
    expect((await failure(run(openai.provider, {}, { maxRetries: 0 }))).retryAfterMs).toBe(3000);
  });

  it('insufficient_quota is upstream_usage_limit and is not retried', async () => {
    const { fake, provider } = await setup();
    fake.enqueue({
      status: 429,
      json: {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      },
    });
    const error = await failure(run(provider));
    expect([error.code, error.retryable]).toEqual(['upstream_usage_limit', false]);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('retries 503 and a dropped connection, then streams', async () => {
    const { fake, provider } = await setup();
    fake.enqueue(
      { mode: 'overloaded' },
      { turn: { text: ['x'] }, fault: { kind: 'disconnect', afterFrames: 1 } },
      { turn: { text: ['ok'] } },
    );
    expect(accumulate(await run(provider)).output_text).toBe('ok');
    expect(fake.chatRequests()).toHaveLength(3);
  });

  it('an error chunk before any content is thrown (and retried when retryable)', async () => {
    const { fake, provider } = await setup({ dialect: 'gemini' });
    fake.enqueue(
      {
        turn: { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } },
      },
      { turn: { text: ['after retry'] } },
    );
    expect(accumulate(await run(provider)).output_text).toBe('after retry');
    fake.enqueue({
      turn: {
        error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
      },
    });
    const error = await failure(run(provider));
    expect([error.code, error.message]).toEqual([
      'stream_error',
      'gemini: INVALID_ARGUMENT: Request contains an invalid argument.',
    ]);
  });

  it('Gemini rejects a signed call sent back without its signature: upstream_bad_request with the reason', async () => {
    const { fake, provider } = await setup({ dialect: 'gemini' });
    fake.enqueue({ turn: { calls: [{ name: 'f', arguments: {} }] } });
    const first = accumulate(await run(provider, { tools: [{ type: 'function', name: 'f' }] }));
    const call = first.output[0];
    if (call?.type !== 'function_call') throw new Error('expected a call');
    expect(call.provider_data).toEqual(
      toolCallProviderData({ google: { thought_signature: expect.any(String) } }),
    );
    const stripped = { ...call, provider_data: undefined };
    const input = [
      userText('hi'),
      stripped,
      { type: 'function_call_output' as const, call_id: call.call_id, output: 'r' },
    ];
    const error = await failure(run(provider, { tools: [{ type: 'function', name: 'f' }], input }));
    expect(error.code).toBe('upstream_bad_request');
    expect(error.message).toContain('Function call is missing a thought_signature in functionCall parts');
  });
});

describe('fixtures through the provider (peek, held events, [DONE])', () => {
  for (const name of [
    'chat-completions-tool-call',
    'gemini-openai-parallel-tool-calls',
    'chat-completions-no-finish',
  ]) {
    it(`${name}.sse → exactly ${name}.events.jsonl`, async () => {
      const { fake, provider } = await setup();
      fake.enqueue({ sse: { fixture: `${name}.sse` } });
      expect(await run(provider)).toEqual(fixtureEvents(`${name}.events.jsonl`));
    });
  }
});

describe('after the first event', () => {
  it('a stalled stream ends with upstream_timeout, a dropped one with upstream_connection', async () => {
    const { fake, provider } = await setup({}, { idleTimeoutMs: 200 });
    fake.enqueue({ turn: { text: ['a', 'b'] }, fault: { kind: 'stall-during', afterFrames: 2 } });
    expect((await run(provider)).at(-1)).toMatchObject({ type: 'error', code: 'upstream_timeout' });
    fake.enqueue({ turn: { text: ['a', 'b'] }, fault: { kind: 'disconnect', afterFrames: 2 } });
    const events = await run(provider);
    expect(text(events)).toBe('a');
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'upstream_connection' });
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('decodes reasoning_content from a host that sends it', async () => {
    const { fake, provider } = await setup();
    fake.enqueue({ turn: { reasoning: ['Let me', ' think.'], text: ['Hi'] } });
    const response = accumulate(await run(provider));
    expect(response.output).toEqual([
      { type: 'reasoning', summary: [], text: 'Let me think.' },
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi' }] },
    ]);
  });
});

function text(events: readonly StreamEvent[]): string {
  return events.flatMap((e) => (e.type === 'text_delta' ? [e.delta] : [])).join('');
}

describe('models and capabilities', () => {
  it('discovers models (Gemini ids without models/), caches them, serves stale while refreshing', async () => {
    let now = 0;
    const { fake, provider } = await setup(
      { dialect: 'gemini', models: ['gemini-2.5-flash'] },
      { modelsTtlMs: 1000, now: () => now },
    );
    const gets = () => fake.requests.filter((r) => r.method === 'GET').length;
    expect(await provider.listModels()).toEqual([{ id: 'gemini-2.5-flash', provider: 'gemini' }]);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test-key-0001');
    now = 500;
    await provider.listModels();
    expect(gets()).toBe(1);
    fake.script({
      method: 'GET',
      path: '/v1beta/openai/models',
      reply: { json: { object: 'list', data: [{ id: 'models/gemini-3-pro' }] } },
    });
    now = 1500;
    // Stale: the old list at once, a refresh behind it.
    expect((await provider.listModels()).map((m) => m.id)).toEqual(['gemini-2.5-flash']);
    await vi.waitFor(async () =>
      expect((await provider.listModels()).map((m) => m.id)).toEqual(['gemini-3-pro']),
    );
    expect(gets()).toBe(2);
  });

  it('a failed discovery warns and lists nothing, and is tried again next time', async () => {
    const { fake, provider } = await setup({}, { apiKey: 'sk-bad-key-0000' });
    const { warnings, sink } = collectWarnings();
    expect(await provider.listModels({ onWarning: sink })).toEqual([]);
    expect(warnings[0]?.details).toMatch(
      /^host: model discovery failed \(host answered 401: Incorrect API key provided/,
    );
    expect(warnings[0]?.details).not.toContain('sk-');
    await provider.listModels({ onWarning: sink, providerKey: 'sk-test-key-0001' });
    expect(fake.requests).toHaveLength(2);
  });

  it('a static model list wins over discovery', async () => {
    const { fake, provider } = await setup({}, { models: ['a', 'b'] });
    expect((await provider.listModels()).map((m) => m.id)).toEqual(['a', 'b']);
    expect(fake.requests).toEqual([]);
  });

  it('capabilities: all true by default; config overrides; no temperature on OpenAI reasoning models', async () => {
    const { provider } = await setup({}, { capabilities: { images: false, context_window: 32_768 } });
    expect(provider.capabilities('qwen')).toMatchObject({
      tools: true,
      json_schema: true,
      images: false,
      temperature: true,
      context_window: 32_768,
    });
    expect(provider.capabilities('o3-mini').temperature).toBe(false);
  });
});
