import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../testing/capture-io.js';
import { writeCodexLogin } from '../testing/e2e-upstreams.js';
import {
  codexSseFrames,
  type FakeCodex,
  type FakeCodexReply,
  startFakeCodex,
} from '../testing/fake-codex.js';
import { startGateway, type TestGateway } from '../testing/gateway-harness.js';

// How a gateway stream behaves when things go wrong around it: the caller leaves, the upstream
// stalls or fails half-way, the gateway is asked to stop. Upstream: the fake ChatGPT backend.

const MODEL = 'gpt-5.5';
const MESSAGE = { id: 'msg_life', type: 'message', role: 'assistant', status: 'in_progress', content: [] };

/** A Codex text stream: created, one delta frame per piece, then (unless `end` is false) completed. */
function textFrames(pieces: readonly string[], end = true): string[] {
  const response = { id: 'resp_life', model: MODEL, status: 'in_progress', output: [] };
  const text = pieces.join('');
  return codexSseFrames([
    { type: 'response.created', response },
    { type: 'response.output_item.added', output_index: 0, item: MESSAGE },
    ...pieces.map((delta) => ({
      type: 'response.output_text.delta',
      item_id: 'msg_life',
      output_index: 0,
      content_index: 0,
      delta,
    })),
    ...(end
      ? [
          {
            type: 'response.output_item.done',
            output_index: 0,
            item: {
              ...MESSAGE,
              status: 'completed',
              content: [{ type: 'output_text', text, annotations: [] }],
            },
          },
          {
            type: 'response.completed',
            response: {
              ...response,
              status: 'completed',
              usage: { input_tokens: 5, output_tokens: pieces.length, total_tokens: 5 + pieces.length },
            },
          },
        ]
      : []),
  ]);
}

const pieces = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i} `);

/** One streaming request body per client protocol. */
const PROTOCOLS = [
  {
    name: 'chat',
    path: '/v1/chat/completions',
    body: { model: MODEL, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    /** The error event this protocol ends a failed stream with, as found in the raw SSE text. */
    errorEvent: (text: string) => {
      const frame = text.split('\n\n').find((f) => f.startsWith('data: {"error"'));
      return frame
        ? (JSON.parse(frame.slice('data: '.length)) as { error: { code: string } }).error
        : undefined;
    },
  },
  {
    name: 'responses',
    path: '/v1/responses',
    body: { model: MODEL, stream: true, input: 'hi' },
    errorEvent: (text: string) => {
      const frame = text.split('\n\n').find((f) => f.startsWith('event: response.failed'));
      const data = frame?.split('\n').find((l) => l.startsWith('data: '));
      return data
        ? (JSON.parse(data.slice(6)) as { response: { error: { code: string } } }).response.error
        : undefined;
    },
  },
  {
    name: 'messages',
    path: '/v1/messages',
    body: { model: MODEL, stream: true, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
    errorEvent: (text: string) => {
      const frame = text.split('\n\n').find((f) => f.startsWith('event: error'));
      const data = frame?.split('\n').find((l) => l.startsWith('data: '));
      return data ? (JSON.parse(data.slice(6)) as { error: { type: string } }).error : undefined;
    },
  },
] as const;

let fake: FakeCodex | undefined;
let gw: TestGateway | undefined;
let home: ReturnType<typeof tempDir> | undefined;

afterEach(async () => {
  await gw?.close(0);
  await fake?.close();
  home?.cleanup();
  gw = undefined;
  fake = undefined;
  home = undefined;
});

async function setup(
  replies: FakeCodexReply[],
  server: Record<string, unknown> = {},
  codex: Record<string, unknown> = {},
): Promise<{ fake: FakeCodex; gw: TestGateway }> {
  fake = await startFakeCodex();
  fake.enqueue(...replies);
  home = tempDir('nodex-life-');
  gw = await startGateway({
    config: { server, providers: { codex: { base_url: fake.baseUrl, ...codex } } },
    env: writeCodexLogin(home.path),
  });
  return { fake, gw };
}

function post(url: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer any' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** Reads a streamed body until `until` matches the text so far (or the stream ends). */
async function readUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (until(text)) {
      await reader.cancel();
      return text;
    }
  }
}

const requestLog = (g: TestGateway) => g.logs.filter((l) => l.msg === 'request');

describe('gateway streams: disconnects, stalls, failures, shutdown', () => {
  it('a caller that disconnects mid-stream cancels the upstream call and is logged as aborted', async () => {
    const { fake, gw } = await setup([{ sse: textFrames(pieces(60)), pacing: { frameIntervalMs: 50 } }]);
    const controller = new AbortController();
    const response = await post(gw.url, '/v1/chat/completions', PROTOCOLS[0].body, controller.signal);
    expect(response.status).toBe(200);
    const seen = await readUntil(response, (text) => text.includes('w1 '));
    controller.abort();
    expect(seen).toContain('w0 ');
    await vi.waitFor(() => expect(fake.abandoned()).toBe(1), { timeout: 5000 });
    await vi.waitFor(() => expect(requestLog(gw)).toHaveLength(1));
    // The status line had gone out (200); the log says how it ended.
    expect(requestLog(gw)[0]).toMatchObject({ status: 200, error_code: 'aborted', stream: true });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^nodex_active_streams 0$/m);
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol.name}: a stalled upstream ends the stream with the protocol's error event`, async () => {
      const frames = textFrames(pieces(5), false);
      const { gw } = await setup(
        [{ sse: frames, fault: { kind: 'stall-during', afterFrames: frames.length } }],
        {},
        { idle_timeout: 300 },
      );
      const response = await post(gw.url, protocol.path, protocol.body);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('w4 ');
      const error = protocol.errorEvent(text);
      if (protocol.name === 'messages') expect(error).toMatchObject({ type: 'timeout_error' });
      else expect(error).toMatchObject({ code: 'upstream_timeout' });
      expect(requestLog(gw)[0]).toMatchObject({ error_code: 'upstream_timeout' });
      // The gateway keeps serving.
      const next = await post(gw.url, protocol.path, { ...protocol.body, stream: false });
      expect(next.status).toBe(200);
    });

    it(`${protocol.name}: an upstream failure after the first byte becomes the protocol's error event`, async () => {
      const frames = [
        ...textFrames(pieces(2), false),
        ...codexSseFrames([
          {
            type: 'response.failed',
            response: {
              id: 'resp_life',
              status: 'failed',
              error: { code: 'server_error', message: 'The model crashed half-way.' },
            },
          },
        ]),
      ];
      const { gw } = await setup([{ sse: frames }]);
      const response = await post(gw.url, protocol.path, protocol.body);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('w1 ');
      expect(text).toContain('The model crashed half-way.');
      expect(protocol.errorEvent(text)).toBeDefined();
      // No success terminator after a failure (Chat still ends with [DONE], after the error chunk).
      expect(text).not.toContain('response.completed');
      expect(text).not.toContain('message_stop');
      expect(text).not.toContain('"finish_reason":"stop"');
      if (protocol.name === 'chat') expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(requestLog(gw)[0]).toMatchObject({ status: 200 });
      expect(requestLog(gw)[0]?.error_code).toBeDefined();
    });
  }

  it('an upstream failure before the first byte is retried, then answered with its HTTP status', async () => {
    const { fake, gw } = await setup(
      [{ status: 500, json: { detail: 'Internal Server Error' } }, { sse: textFrames(['ok']) }],
      { max_retries: 1 },
    );
    const retried = await post(gw.url, '/v1/chat/completions', { ...PROTOCOLS[0].body, stream: false });
    expect(retried.status).toBe(200);
    expect(fake.responses()).toHaveLength(2);

    fake.enqueue({ status: 500, json: { detail: 'a' } }, { status: 500, json: { detail: 'b' } });
    const failed = await post(gw.url, '/v1/chat/completions', PROTOCOLS[0].body);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.headers.get('content-type')).toContain('application/json');
    expect(await failed.json()).toMatchObject({ error: { code: 'upstream_error' } });
  });

  it('sends `: keep-alive` comments while the upstream is quiet', async () => {
    const { gw } = await setup([{ sse: textFrames(pieces(1)), pacing: { frameIntervalMs: 250 } }], {
      keepalive_interval: 60,
    });
    const text = await (await post(gw.url, '/v1/chat/completions', PROTOCOLS[0].body)).text();
    expect(text).toContain(': keep-alive\n\n');
    expect(text).toContain('[DONE]');
  });

  it('graceful shutdown lets an in-flight stream finish and refuses new requests', async () => {
    const { gw } = await setup([{ sse: textFrames(pieces(10)), pacing: { frameIntervalMs: 60 } }]);
    const response = await post(gw.url, '/v1/chat/completions', PROTOCOLS[0].body);
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    await reader.read(); // the stream is live
    const closed = gw.close(10_000);
    await expect(post(gw.url, '/v1/chat/completions', PROTOCOLS[0].body)).rejects.toThrow();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closed;
    expect(text).toContain('w9 ');
    expect(text).toContain('[DONE]');
    expect(requestLog(gw)[0]).toMatchObject({ status: 200 });
    expect(requestLog(gw)[0]?.error_code).toBeUndefined();
  });

  it('a stream still running when the grace period ends is cut with an error event', async () => {
    const { fake, gw } = await setup([{ sse: textFrames(pieces(200)), pacing: { frameIntervalMs: 50 } }]);
    const response = await post(gw.url, '/v1/responses', PROTOCOLS[1].body);
    const pending = response.text();
    await vi.waitFor(() => expect(fake.responses()).toHaveLength(1));
    await gw.close(300);
    const text = await pending;
    expect(text).toContain('w0 ');
    expect(text).not.toContain('w199 ');
    expect(PROTOCOLS[1].errorEvent(text)).toMatchObject({ code: 'provider_unavailable' });
    expect(text).toContain('shutting down');
    await vi.waitFor(() => expect(fake.abandoned()).toBe(1));
  });
});
