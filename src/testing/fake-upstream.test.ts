import { afterEach, describe, expect, it } from 'vitest';
import { parseSseText } from '../sse/parse-sse.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { fixtureText, splitSseFrames } from './fixtures.js';

let fake: FakeUpstream | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function readChunks(response: Response): Promise<string[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(decoder.decode(value));
  }
}

describe('fake upstream: replay', () => {
  it('replays an SSE fixture byte for byte with SSE headers', async () => {
    fake = await startFakeUpstream([
      { method: 'POST', path: '/v1/messages', reply: { sse: { fixture: 'anthropic-text.sse' } } },
    ]);
    const response = await fetch(`${fake.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(parseSseText(text)).toEqual(parseSseText(fixtureText('anthropic-text.sse')));
    expect(text).toBe(splitSseFrames(fixtureText('anthropic-text.sse')).join(''));
  });

  it('paces frames: with an interval, every frame arrives as its own chunk', async () => {
    const frames = splitSseFrames(fixtureText('gemini-openai-text.sse'));
    fake = await startFakeUpstream([{ path: '/s', reply: { sse: frames, pacing: { frameIntervalMs: 40 } } }]);
    const chunks = await readChunks(await fetch(`${fake.url}/s`));
    expect(chunks).toEqual(frames);
  });
});

describe('fake upstream: scripting and recording', () => {
  it('matches by method, path and body; later scripts win; `times` uses a script up', async () => {
    fake = await startFakeUpstream([{ path: '/v1/x', reply: { json: { from: 'default' } } }]);
    fake.script({
      method: 'POST',
      path: /^\/v1\/x$/,
      match: (r) => (r.json as { model?: string })?.model === 'special',
      reply: { json: { from: 'special' } },
      times: 1,
    });
    const call = async (body: unknown) =>
      (await fetch(`${fake?.url}/v1/x`, { method: 'POST', body: JSON.stringify(body) })).json();
    expect(await call({ model: 'special' })).toEqual({ from: 'special' });
    expect(await call({ model: 'special' })).toEqual({ from: 'default' });
    expect(await call({ model: 'other' })).toEqual({ from: 'default' });
  });

  it('answers with a function of the request, and 404 names an unscripted route', async () => {
    fake = await startFakeUpstream([
      { path: '/echo', reply: (r) => ({ json: { got: r.json, q: r.query.get('a') } }) },
    ]);
    const echoed = await fetch(`${fake.url}/echo?a=1`, { method: 'POST', body: '{"k":2}' });
    expect(await echoed.json()).toEqual({ got: { k: 2 }, q: '1' });
    const missing = await fetch(`${fake.url}/nope`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no script for DELETE /nope');
  });

  it('records every request: method, path, query, lower-cased headers, raw and parsed body', async () => {
    fake = await startFakeUpstream([{ reply: { body: 'ok' } }]);
    await fetch(`${fake.url}/v1/responses?beta=true`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer t0k',
        'ChatGPT-Account-ID': 'acc_1',
        'content-type': 'application/json',
      },
      body: '{"stream":true}',
    });
    await fetch(`${fake.url}/plain`, { method: 'POST', body: 'not json' });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/responses',
      url: '/v1/responses?beta=true',
      body: '{"stream":true}',
      json: { stream: true },
    });
    expect(fake.requests[0]?.headers).toMatchObject({
      authorization: 'Bearer t0k',
      'chatgpt-account-id': 'acc_1',
    });
    expect(fake.requests[1]?.json).toBeUndefined();
    fake.reset();
    expect(fake.requests).toHaveLength(0);
  });
});

describe('fake upstream: faults', () => {
  it('an HTTP status with a body and headers', async () => {
    fake = await startFakeUpstream([
      {
        reply: {
          status: 429,
          headers: { 'retry-after': '7' },
          json: { error: { type: 'usage_limit_reached' } },
        },
      },
    ]);
    const response = await fetch(`${fake.url}/v1/responses`, { method: 'POST' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ error: { type: 'usage_limit_reached' } });
  });

  it('stall before: no status ever comes; the client gives up; the request was still recorded', async () => {
    fake = await startFakeUpstream([{ reply: { fault: { kind: 'stall-before' } } }]);
    await expect(
      fetch(`${fake.url}/x`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(150) }),
    ).rejects.toThrow();
    expect(fake.requests).toHaveLength(1);
  });

  it('stall during: the first frames arrive, then nothing until the client gives up', async () => {
    const frames = splitSseFrames(fixtureText('codex-text.sse'));
    fake = await startFakeUpstream([
      { reply: { sse: frames, fault: { kind: 'stall-during', afterFrames: 2 } } },
    ]);
    const controller = new AbortController();
    const response = await fetch(`${fake.url}/x`, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        received += new TextDecoder().decode(value);
        if (received === frames.slice(0, 2).join('')) setTimeout(() => controller.abort(), 100);
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(received).toBe(frames.slice(0, 2).join(''));
  });

  it('disconnect mid-stream: the client reads some frames, then the body fails', async () => {
    const frames = splitSseFrames(fixtureText('chat-completions-text.sse'));
    fake = await startFakeUpstream([
      { reply: { sse: frames, fault: { kind: 'disconnect', afterFrames: 3 } } },
    ]);
    const response = await fetch(`${fake.url}/x`);
    expect(response.status).toBe(200);
    let received = '';
    await expect(
      (async () => {
        for await (const chunk of response.body as ReadableStream<Uint8Array>)
          received += new TextDecoder().decode(chunk);
      })(),
    ).rejects.toThrow();
    expect(received).toBe(frames.slice(0, 3).join(''));
  });

  it('connection reset: the request fails without a response', async () => {
    fake = await startFakeUpstream([{ reply: { fault: { kind: 'reset' } } }]);
    await expect(fetch(`${fake.url}/x`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('close() ends stalled connections at once', async () => {
    fake = await startFakeUpstream([{ reply: { fault: { kind: 'stall-before' } } }]);
    const pending = fetch(`${fake.url}/x`).catch((error: unknown) => error);
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await fake.close();
    fake = undefined;
    expect(await pending).toBeInstanceOf(Error);
  });
});
