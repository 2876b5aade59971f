import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessToken, TokenSource } from '../../auth/token-source.js';
import { StaticTokenSource } from '../../auth/token-source.js';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { CanonicalRequest } from '../../core/request.js';
import { userText } from '../../core/request.js';
import {
  codexSseFrames,
  type FakeCodex,
  type FakeCodexOptions,
  sentHeaders,
  startFakeCodex,
} from '../../testing/fake-codex.js';
import { fixtureEvents, fixtureText, splitSseFrames } from '../../testing/fixtures.js';
import { CodexProvider, type CodexProviderOptions } from './codex-provider.js';

const TOKEN: AccessToken = { accessToken: 'tok-live-123', accountId: 'acc-6f2c1a7e' };
const UA = 'codex_cli_rs/0.144.1 (Test OS 1.0; x86_64) nodex';
const FAST = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 60_000 };
const HEADERS = {
  authorization: 'Bearer tok-live-123',
  'chatgpt-account-id': 'acc-6f2c1a7e',
  originator: 'codex_cli_rs',
  'user-agent': UA,
  version: '0.144.1',
  accept: 'text/event-stream',
  'content-type': 'application/json',
};
const HI: CanonicalRequest = { model: 'gpt-5.5', input: [userText('hi')] };
const HI_BODY = {
  model: 'gpt-5.5',
  instructions: '',
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
};
const TEXT_EVENTS = fixtureEvents<StreamEvent>('codex-text.events.jsonl');

/** A token source that hands out `first`, then `next` after a rejection, and records the calls. */
class RotatingTokens implements TokenSource {
  readonly description = 'test tokens';
  readonly rejected: string[] = [];
  #current: AccessToken;

  constructor(
    first: AccessToken,
    private readonly next: AccessToken,
  ) {
    this.#current = first;
  }

  async getToken(): Promise<AccessToken> {
    return this.#current;
  }

  async refreshAfterReject(rejectedAccessToken: string): Promise<AccessToken> {
    this.rejected.push(rejectedAccessToken);
    this.#current = this.next;
    return this.#current;
  }
}

let fake: FakeCodex | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(options: FakeCodexOptions = {}, provider: Partial<CodexProviderOptions> = {}) {
  fake = await startFakeCodex({ quotaHeaders: false, ...options });
  const codex = new CodexProvider({
    baseUrl: fake.baseUrl,
    tokenSource: new StaticTokenSource(TOKEN),
    userAgent: UA,
    retryPolicy: FAST,
    ...provider,
  });
  return { fake, codex };
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The error the first `next()` rejects with (the provider contract for pre-stream failures). */
async function firstFailure(stream: AsyncIterable<StreamEvent>): Promise<NodexError> {
  try {
    await stream[Symbol.asyncIterator]().next();
  } catch (error) {
    if (NodexError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the first next() to reject');
}

function expectHiRequests(count: number, headers: Record<string, string> = HEADERS): void {
  expect(fake?.responses()).toHaveLength(count);
  for (const request of fake?.responses() ?? []) {
    expect(request.json).toEqual(HI_BODY);
    expect(sentHeaders(request)).toEqual(headers);
  }
}

describe('CodexProvider: HTTP failures before the first event', () => {
  it('429 usage_limit_reached → upstream_usage_limit with plan and reset; beyond the max wait, not retried', async () => {
    const { codex } = await setup();
    fake?.enqueue({ mode: 'usage-limit' });
    const error = await firstFailure(codex.stream(HI));
    expect(error).toMatchObject({
      code: 'upstream_usage_limit',
      status: 429,
      providerCode: 'usage_limit_reached',
      provider: 'codex',
      // resets_at (2026-05-04) lies in the past here, so resets_in_seconds decides.
      retryAfterMs: 13_872_000,
      message: 'codex: The usage limit has been reached (plan plus; resets at 2026-05-04T23:16:08.000Z)',
    });
    expectHiRequests(1);
  });

  it('5xx is retried and the retry succeeds (two requests at the fake)', async () => {
    const { codex } = await setup();
    fake?.enqueue({ status: 500, json: { detail: 'Internal Server Error' } });
    expect(await collect(codex.stream(HI))).toEqual(TEXT_EVENTS);
    expectHiRequests(2);
  });

  it('400 {"detail":…} → upstream_bad_request carrying the detail, not retried', async () => {
    const { codex } = await setup();
    fake?.enqueue({ status: 400, json: { detail: 'Instructions are not valid' } });
    const error = await firstFailure(codex.stream(HI));
    expect(error).toMatchObject({
      code: 'upstream_bad_request',
      retryable: false,
      message: 'codex answered 400: Instructions are not valid',
    });
    expectHiRequests(1);
  });

  it('401 → one refreshAfterReject → the retry with the new token succeeds', async () => {
    const tokens = new RotatingTokens({ accessToken: 'tok-old', accountId: 'acc-6f2c1a7e' }, TOKEN);
    const { codex } = await setup({ accessTokens: ['tok-live-123'] }, { tokenSource: tokens });
    expect(await collect(codex.stream(HI))).toEqual(TEXT_EVENTS);
    expect(tokens.rejected).toEqual(['tok-old']);
    expect(fake?.responses().map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-old',
      'Bearer tok-live-123',
    ]);
    expect(fake?.responses()[1]?.json).toEqual(HI_BODY);
    expect(sentHeaders(fake?.responses()[1])).toEqual(HEADERS);
  });

  it('a second 401 fails with upstream_unauthorized after exactly one refresh; no secret in the error', async () => {
    const tokens = new RotatingTokens({ accessToken: 'tok-old', accountId: 'acc-6f2c1a7e' }, TOKEN);
    const { codex } = await setup({ accessTokens: ['someone-else'] }, { tokenSource: tokens });
    const error = await firstFailure(codex.stream(HI));
    expect(error).toMatchObject({ code: 'upstream_unauthorized', retryable: false });
    expect(error.message).toBe(
      'codex answered 401: Could not parse your authentication token. Please try signing in again.',
    );
    expect(tokens.rejected).toEqual(['tok-old']);
    expect(fake?.responses()).toHaveLength(2);
    expect(fake?.responses()[1]?.json).toEqual(HI_BODY);
    expect(sentHeaders(fake?.responses()[1])).toEqual(HEADERS);
  });
});

describe('CodexProvider: peeking before committing (wire.md §3 quirk 3)', () => {
  it('an overload as the first event after a 200 is retried; nothing of the failed attempt leaks', async () => {
    const { codex } = await setup();
    fake?.enqueue({ mode: 'overloaded-first' });
    expect(await collect(codex.stream(HI))).toEqual(TEXT_EVENTS);
    expectHiRequests(2);
  });

  it('without retries left, the overload rejects the first next() as retryable upstream_overloaded', async () => {
    const { codex } = await setup({}, { retryPolicy: { ...FAST, maxRetries: 0 } });
    fake?.enqueue({ mode: 'overloaded-first' });
    const error = await firstFailure(codex.stream(HI));
    expect(error).toMatchObject({
      code: 'upstream_overloaded',
      retryable: true,
      providerCode: 'server_is_overloaded',
      message: 'codex: Our servers are currently overloaded. Please try again later.',
    });
    expectHiRequests(1);
  });
  it('response.failed as the first event (context window) rejects the first next(), not retried', async () => {
    const response = { id: 'resp_f', model: 'gpt-5.5', created_at: 1 };
    const error = {
      code: 'context_length_exceeded',
      message: 'Your input exceeds the context window of this model.',
    };
    const { codex } = await setup({
      reply: {
        sse: codexSseFrames([
          { type: 'response.created', response },
          { type: 'response.in_progress', response },
          { type: 'response.failed', response: { ...response, status: 'failed', error } },
        ]),
      },
    });
    expect(await firstFailure(codex.stream(HI))).toMatchObject({
      code: 'context_length_exceeded',
      status: 400,
      retryable: false,
      message: 'codex: Your input exceeds the context window of this model.',
    });
    expectHiRequests(1);
  });
});

describe('CodexProvider: timeouts', () => {
  it('no response headers in time → upstream_timeout (retried, then thrown)', async () => {
    const { codex } = await setup(
      { reply: { fault: { kind: 'stall-before' } } },
      { headersTimeoutMs: 150, retryPolicy: { ...FAST, maxRetries: 1 } },
    );
    const error = await firstFailure(codex.stream(HI));
    expect(error).toMatchObject({ code: 'upstream_timeout', status: 504 });
    expectHiRequests(2);
  });

  it('a stream that stalls mid-way → the events so far, then an upstream_timeout error event', async () => {
    const { codex } = await setup(
      { reply: { sse: { fixture: 'codex-text.sse' }, fault: { kind: 'stall-during', afterFrames: 13 } } },
      { idleTimeoutMs: 150 },
    );
    const events = await collect(codex.stream(HI));
    expect(events).toEqual([
      ...TEXT_EVENTS.slice(0, 6),
      {
        schema_version: 'v1',
        type: 'error',
        error: 'codex: the stream stalled (no data for 150 ms)',
        code: 'upstream_timeout',
        status: 504,
        retryable: false,
      },
    ]);
    expectHiRequests(1);
  });

  it('a dropped connection mid-stream → an upstream_connection error event', async () => {
    const { codex } = await setup({
      reply: { sse: { fixture: 'codex-text.sse' }, fault: { kind: 'disconnect', afterFrames: 13 } },
    });
    const events = await collect(codex.stream(HI));
    expect(events.slice(0, 6)).toEqual(TEXT_EVENTS.slice(0, 6));
    expect(events.slice(6)).toEqual([
      expect.objectContaining({ type: 'error', code: 'upstream_connection' }),
    ]);
    expectHiRequests(1);
  });
});

describe('CodexProvider: cancellation', () => {
  /** A dispatcher that records its sockets, to observe that the upstream connection is closed. */
  function recordingAgent(): { agent: Agent; sockets: Socket[] } {
    const sockets: Socket[] = [];
    const connect = buildConnector({});
    const agent = new Agent({
      connect: (options, callback) =>
        connect(options, (error, socket) => {
          if (socket) sockets.push(socket as Socket);
          if (error) callback(error, null);
          else callback(null, socket as Socket);
        }),
    });
    return { agent, sockets };
  }

  const closed = (socket: Socket | undefined) =>
    new Promise<boolean>((resolve) => {
      if (!socket || socket.destroyed) resolve(true);
      else socket.once('close', () => resolve(true));
    });

  it('abort mid-stream ends the stream quietly and closes the upstream connection', async () => {
    const { agent, sockets } = recordingAgent();
    const frames = splitSseFrames(fixtureText('codex-text.sse'));
    const { codex } = await setup(
      { reply: { sse: frames, fault: { kind: 'stall-during', afterFrames: 14 } } },
      { dispatcher: agent },
    );
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    for await (const event of codex.stream(HI, { signal: controller.signal })) {
      events.push(event);
      if (event.type === 'text_delta' && event.delta === '!') controller.abort();
    }
    expect(events).toEqual(TEXT_EVENTS.slice(0, 7));
    expect(sockets).toHaveLength(1);
    expect(await closed(sockets[0])).toBe(true);
    expectHiRequests(1);
    await agent.close();
  });

  it('a consumer that stops early (break) closes the upstream connection too', async () => {
    const { agent, sockets } = recordingAgent();
    const { codex } = await setup(
      { reply: { sse: { fixture: 'codex-text.sse' }, fault: { kind: 'stall-during', afterFrames: 14 } } },
      { dispatcher: agent },
    );
    for await (const event of codex.stream(HI)) if (event.type === 'text_delta') break;
    expect(await closed(sockets[0])).toBe(true);
    expectHiRequests(1);
    await agent.close();
  });

  it('aborted before anything arrived: no events, no error', async () => {
    const controller = new AbortController();
    // The caller gives up once the upstream has the request and is not answering.
    const reply = () => {
      controller.abort();
      return { fault: { kind: 'stall-before' } } as const;
    };
    const { codex } = await setup({ reply });
    expect(await collect(codex.stream(HI, { signal: controller.signal }))).toEqual([]);
    expectHiRequests(1);
  });
});
