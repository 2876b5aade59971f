import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveClaudeOAuthSettings } from '../../auth/claude/claude-oauth-settings.js';
import { createClaudeTokenSource } from '../../auth/claude/claude-token-source.js';
import { StaticTokenSource } from '../../auth/token-source.js';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext, UpstreamRequestRecord } from '../../core/provider.js';
import { userText } from '../../core/request.js';
import { collectWarnings } from '../../core/warnings.js';
import { tempDir } from '../../testing/capture-io.js';
import {
  anthropicSseFrames,
  type FakeAnthropic,
  anthropicFrames as f,
  startFakeAnthropic,
} from '../../testing/fake-anthropic.js';
import { type FakeClaudeAuth, startFakeClaudeAuth } from '../../testing/fake-claude-auth.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import { AnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.js';

const OAUTH = 'sk-ant-oat01-provider';
const KEY = 'sk-ant-api03-provider';
const request = { model: 'claude-opus-4-8', input: [userText('hi')] };
const fast = { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 60_000 };

let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKeys: [KEY, 'sk-ant-api03-caller'] });
});
afterEach(() => fake.close());

function provider(options: Partial<AnthropicProviderOptions> = {}): AnthropicProvider {
  return new AnthropicProvider({
    baseUrl: fake.url,
    tokenSource: new StaticTokenSource({ accessToken: OAUTH }),
    retryPolicy: fast,
    ...options,
  });
}

async function collect(
  p: AnthropicProvider,
  context: ProviderCallContext = {},
  req = request,
): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of p.stream(req, context)) events.push(event);
  return events;
}

describe('AnthropicProvider over the fake API', () => {
  it('OAuth: anthropic-text.sse decodes to exactly its .events.jsonl, plus the subscription quota', async () => {
    const events = await collect(provider());
    const [started, ...rest] = fixtureEvents<StreamEvent>('anthropic-text.events.jsonl');
    expect(events).toEqual([
      {
        ...started,
        quota: {
          provider: 'anthropic',
          primary: { window_minutes: 300, status: 'allowed', resets_at: 1_767_240_000 },
          secondary: { window_minutes: 10_080, status: 'allowed', resets_at: 1_767_657_600 },
        },
      },
      ...rest,
    ]);
  });

  it('onUpstreamRequest sees the exact request with the bearer redacted', async () => {
    const records: UpstreamRequestRecord[] = [];
    await collect(provider(), { onUpstreamRequest: (r) => records.push(r) });
    expect(records).toHaveLength(1);
    expect(records[0]?.url).toBe(`${fake.url}/v1/messages?beta=true`);
    expect(records[0]?.headers.authorization).toBe('Bearer [REDACTED]');
    expect(JSON.stringify(records)).not.toContain(OAUTH);
    expect(records[0]?.body).toEqual(fake.messages()[0]?.json);
  });

  it('a per-request providerKey uses API-key mode: x-api-key, no identity, no OAuth beta, no ?beta=true', async () => {
    const records: UpstreamRequestRecord[] = [];
    const events = await collect(provider(), {
      providerKey: 'sk-ant-api03-caller',
      onUpstreamRequest: (r) => records.push(r),
    });
    expect(events.at(-1)).toMatchObject({ type: 'response_completed' });
    const sent = fake.messages()[0];
    expect(sent?.url).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe('sk-ant-api03-caller');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(sent?.json).not.toHaveProperty('system');
    expect(records[0]?.headers['x-api-key']).toBe('[REDACTED]');
  });

  it('a 529 is retried, then succeeds; a 529 with retries exhausted throws upstream_overloaded (retryable)', async () => {
    fake.enqueue({ mode: 'overloaded' });
    expect((await collect(provider())).at(-1)).toMatchObject({ type: 'response_completed' });
    expect(fake.messages()).toHaveLength(2);
    fake.enqueue({ mode: 'overloaded' });
    await expect(collect(provider(), { maxRetries: 0 })).rejects.toMatchObject({
      code: 'upstream_overloaded',
      status: 529,
      retryable: true,
    });
  });

  it('an overload as the first SSE event is thrown from the first next() and retried', async () => {
    fake.enqueue({ mode: 'overloaded-first' });
    const events = await collect(provider());
    expect(events[0]).toMatchObject({ type: 'response_started' });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(fake.messages()).toHaveLength(2);
  });

  it('429 on a subscription window → upstream_usage_limit with the wait; plain 429 → upstream_rate_limited', async () => {
    fake.enqueue({ mode: 'rate-limited', retryAfterSeconds: 120, subscription: true });
    const limited = await collect(provider(), { maxRetries: 0 }).catch((e: unknown) => e);
    expect(limited).toMatchObject({
      code: 'upstream_usage_limit',
      status: 429,
      providerCode: 'rate_limit_error',
    });
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(100_000);
    fake.enqueue({ mode: 'rate-limited', retryAfterSeconds: 3 });
    await expect(
      collect(provider({ tokenSource: undefined, apiKey: KEY }), { maxRetries: 0 }),
    ).rejects.toMatchObject({
      code: 'upstream_rate_limited',
      retryAfterMs: 3000,
    });
  });

  it('an OAuth request without the identity first is refused; the error explains the subscription restriction', async () => {
    const error = await collect(provider({ identity: 'You are a helpful bot.' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'upstream_bad_request', status: 502, retryable: false });
    expect((error as Error).message).toMatch(
      /only authorized for use with Claude Code.*Claude subscription tokens only work/,
    );
    // Haiku needs no identity (wire.md §4.4).
    const haiku = await collect(
      provider({ identity: 'You are a helpful bot.' }),
      {},
      { ...request, model: 'claude-haiku-4-5' },
    );
    expect(haiku.at(-1)).toMatchObject({ type: 'response_completed' });
  });

  it('a dropped connection after the first text ends with an error event, never a retry', async () => {
    fake.enqueue({
      sse: anthropicSseFrames([f.start(), ...f.text(0, ['Hel', 'lo']), ...f.end('end_turn', 2)]),
      fault: { kind: 'disconnect', afterFrames: 3 },
    });
    const events = await collect(provider());
    expect(
      events.filter((e) => e.type === 'text_delta').map((e) => (e.type === 'text_delta' ? e.delta : '')),
    ).toEqual(['Hel']);
    expect(events.at(-1)).toMatchObject({ type: 'error' });
    expect(fake.messages()).toHaveLength(1);
  });

  it('listModels follows every page, caches for 5 minutes, and feeds capabilities', async () => {
    await fake.close();
    const models = Array.from({ length: 120 }, (_, i) => ({
      type: 'model',
      id: `claude-test-${i}`,
      display_name: `Test ${i}`,
      created_at: '2026-01-01T00:00:00Z',
      max_input_tokens: 200_000,
      max_tokens: 64_000 + i,
    }));
    fake = await startFakeAnthropic({ models });
    const p = provider();
    const listed = await p.listModels();
    expect(listed).toHaveLength(120);
    expect(listed[0]).toEqual({
      id: 'claude-test-0',
      provider: 'anthropic',
      display_name: 'Test 0',
      created_at: 1_767_225_600,
      context_window: 200_000,
      output_limit: 64_000,
    });
    const pages = fake.requests.filter((r) => r.path === '/v1/models');
    expect(pages.map((r) => r.url)).toEqual([
      '/v1/models?limit=100',
      '/v1/models?limit=100&after_id=claude-test-99',
    ]);
    expect(pages[0]?.headers['anthropic-beta']).toContain('oauth-2025-04-20');
    await p.listModels();
    expect(fake.requests.filter((r) => r.path === '/v1/models')).toHaveLength(2);
    expect(p.capabilities('claude-test-7')).toMatchObject({
      context_window: 200_000,
      output_limit: 64_007,
      tools: true,
    });
    expect(p.capabilities('unknown')).not.toHaveProperty('context_window');
  });

  it('listModels falls back to the static list with a warning when discovery fails', async () => {
    fake.script({
      method: 'GET',
      path: '/v1/models',
      reply: { status: 500, json: { type: 'error', error: { type: 'api_error', message: 'x' } } },
    });
    const { warnings, sink } = collectWarnings();
    const listed = await provider({ models: ['claude-a'] }).listModels({ onWarning: sink });
    expect(listed).toEqual([{ id: 'claude-a', provider: 'anthropic' }]);
    expect(warnings[0]?.feature).toBe('models.discovery');
  });
});

describe('AnthropicProvider with a Claude Code login that expired upstream', () => {
  let dir: ReturnType<typeof tempDir>;
  let auth: FakeClaudeAuth;
  beforeEach(async () => {
    dir = tempDir();
    auth = await startFakeClaudeAuth();
    await fake.close();
    fake = await startFakeAnthropic({ isValidOAuthToken: (token) => auth.isValidAccessToken(token) });
  });
  afterEach(async () => {
    await auth.close();
    dir.cleanup();
  });

  it('a 401 refreshes once, retries once, and the rotated tokens land in Claude Code’s file', async () => {
    const stale = auth.issueTokens();
    const live = auth.issueTokens();
    // Rotate `stale` away: its access token is dead upstream although the file says it lasts an hour.
    await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'claude-cli/x' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: stale.refresh_token,
        client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
      }),
    });
    const path = join(dir.path, '.claude', '.credentials.json');
    mkdirSync(join(dir.path, '.claude'));
    const entry = {
      accessToken: stale.access_token,
      refreshToken: live.refresh_token,
      expiresAt: Date.now() + 3_600_000,
    };
    writeFileSync(path, JSON.stringify({ claudeAiOauth: entry }));
    const env = { HOME: dir.path, NODEX_HOME: join(dir.path, '.nodex') };
    const tokenSource = createClaudeTokenSource({ settings: resolveClaudeOAuthSettings(auth.config()), env });
    const events = await collect(provider({ tokenSource }));
    expect(events.at(-1)).toMatchObject({ type: 'response_completed' });
    const sent = fake.messages().map((r) => r.headers.authorization);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(`Bearer ${stale.access_token}`);
    expect(auth.counts.refresh).toBe(2); // the rotation above, and nodex's single refresh
    expect(JSON.parse(readFileSync(path, 'utf8')).claudeAiOauth.accessToken).toBe(
      sent[1]?.slice('Bearer '.length),
    );
  });

  it('a second 401 after the refresh fails with upstream_unauthorized (no loop), naming no secret', async () => {
    const error = await collect(
      provider({ tokenSource: new StaticTokenSource({ accessToken: 'sk-ant-oat01-dead' }) }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'upstream_unauthorized', providerCode: 'authentication_error' });
    expect((error as Error).message).not.toContain('sk-ant-oat01-dead');
    expect(fake.messages()).toHaveLength(2);
  });
});
