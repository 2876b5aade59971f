import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { streamEvent } from '../../core/events.js';
import { tempDir } from '../../testing/capture-io.js';
import { anthropicUpstream, geminiUpstream } from '../../testing/e2e-upstreams.js';
import { startGateway } from '../../testing/gateway-harness.js';
import { ScriptedProvider } from '../../testing/scripted-provider.js';

// Traces over the Anthropic and Gemini upstreams, and failures (an upstream 429, a caller that
// leaves mid-stream) in the trace and the audit log.

let home: ReturnType<typeof tempDir>;
beforeEach(() => {
  home = tempDir();
});
afterEach(() => home.cleanup());

describe('trace of other upstreams', () => {
  for (const [name, start, secret] of [
    ['anthropic', anthropicUpstream, 'sk-ant-gw'],
    ['gemini', geminiUpstream, 'gem-gw'],
  ] as const) {
    it(`${name}: upstream events and requests are traced, its API key is not`, async () => {
      const upstream = await start();
      const tracePath = join(home.path, `${name}.jsonl`);
      const gw = await startGateway({
        config: { ...upstream.config, server: { trace: { path: tracePath } } },
        env: upstream.env,
      });
      try {
        const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 });
        const stream = client.chat.completions.stream({
          model: upstream.model,
          messages: [{ role: 'user', content: 'hi' }],
        });
        expect((await stream.finalChatCompletion()).choices[0]?.message.content).toBe(upstream.text);
      } finally {
        await gw.close();
        await upstream.close();
      }
      const text = readFileSync(tracePath, 'utf8');
      expect(text).not.toContain(secret);
      const phases = text
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { phase: string }).phase);
      expect(phases).toContain('upstream_request');
      expect(phases.filter((p) => p === 'upstream_event').length).toBeGreaterThan(1);
    });
  }
});

describe('failures', () => {
  it('an upstream 429 and a caller that leaves mid-stream: traced and audited with their codes', async () => {
    const provider = new ScriptedProvider([
      [{ throw: new NodexError('upstream_rate_limited', 'slow down', { status: 429 }) }],
      [
        streamEvent('response_started', { response_id: 'resp_1', model: 'scripted' }),
        streamEvent('text_delta', { delta: 'partial' }),
        { waitForAbort: true },
      ],
    ]);
    const logs = join(home.path, 'fail');
    const gw = await startGateway({
      config: {
        server: {
          trace: { path: join(logs, 'trace.jsonl') },
          audit: { path: join(logs, 'audit.jsonl') },
          max_retries: 0,
        },
      },
      providers: [provider],
    });
    try {
      const limited = await request(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'scripted', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(limited.statusCode).toBe(429);
      await limited.body.text();
      const leaving = new AbortController();
      const streamed = await request(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'scripted',
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
        signal: leaving.signal,
      });
      for await (const chunk of streamed.body) if (String(chunk).includes('partial')) break;
      leaving.abort();
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await gw.close();
    }
    const read = (name: string) =>
      readFileSync(join(logs, name), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const [rateLimited, aborted] = read('audit.jsonl');
    expect(rateLimited).toMatchObject({
      status: 429,
      error_code: 'upstream_rate_limited',
      provider: 'scripted',
    });
    expect(aborted).toMatchObject({ status: 200, error_code: 'aborted', stream: true, provider: 'scripted' });
    const errors = read('trace.jsonl').filter((l) => l.phase === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        request_id: rateLimited?.request_id,
        code: 'upstream_rate_limited',
        message: 'slow down',
      }),
      expect.objectContaining({ request_id: aborted?.request_id, code: 'aborted' }),
    ]);
  });
});
