import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { startTracedGateway, type TracedGateway } from '../../testing/traced-gateway.js';

// Traces and the audit log end to end: a tool-call round trip through the gateway to a fake
// Codex backend, a refused key and a model list, then the files read back.

const WEATHER = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

let home: ReturnType<typeof tempDir>;
let t: TracedGateway;
beforeEach(async () => {
  home = tempDir();
  t = await startTracedGateway(home.path);
});
afterEach(async () => {
  await t.close();
  home.cleanup();
});

async function toolRoundTrip(client: OpenAI): Promise<void> {
  const tools = [{ type: 'function' as const, name: 'get_weather', parameters: WEATHER, strict: false }];
  t.upstream.queueToolCall();
  const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
  const first = await client.responses.stream({ model: 'gpt-5.5', input, tools }).finalResponse();
  const call = first.output.find((item) => item.type === 'function_call');
  expect(call?.type === 'function_call' && call.name).toBe('get_weather');
  input.push(...(first.output as OpenAI.Responses.ResponseInputItem[]), {
    type: 'function_call_output',
    call_id: call?.type === 'function_call' ? call.call_id : '',
    output: '21C and sunny',
  });
  const second = await client.responses.create({ model: 'gpt-5.5', input, tools });
  expect(second.output_text).toBe(t.upstream.afterTool('21C and sunny'));
}

describe('trace', () => {
  it('holds every phase of a tool-call round trip under one request id, and no secret', async () => {
    await toolRoundTrip(new OpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: t.key, maxRetries: 0 }));
    await t.close();
    const text = readFileSync(t.tracePath, 'utf8');
    for (const secret of [t.key, t.key.slice('nk-'.length + 13), t.accessToken, t.refreshToken])
      expect(text).not.toContain(secret);
    expect(text).not.toContain('acct_traced');

    const lines = t.traceLines();
    const ids = [...new Set(lines.map((l) => l.request_id as string))];
    expect(ids).toHaveLength(2);
    const phasesOf = (id: string) => new Set(lines.filter((l) => l.request_id === id).map((l) => l.phase));
    const [streamed, plain] = ids as [string, string];
    expect([...phasesOf(streamed)].sort()).toEqual(
      [
        'request',
        'canonical_request',
        'upstream_request',
        'upstream_event',
        'provider_event',
        'client_event',
        'done',
      ].sort(),
    );
    expect(phasesOf(plain)).toContain('client_response');
    // Phases in the order they happen.
    const order = lines.filter((l) => l.request_id === streamed).map((l) => l.phase);
    expect(order[0]).toBe('request');
    expect(order.indexOf('canonical_request')).toBeLessThan(order.indexOf('upstream_request'));
    expect(order.at(-1)).toBe('done');

    const received = lines.find((l) => l.request_id === streamed && l.phase === 'request');
    expect(received).toMatchObject({
      method: 'POST',
      path: '/v1/responses',
      headers: { authorization: '***', 'content-type': 'application/json' },
      body: { model: 'gpt-5.5', stream: true },
    });
    const upstreamRequest = lines.find((l) => l.request_id === streamed && l.phase === 'upstream_request');
    expect(upstreamRequest).toMatchObject({
      attempt: 1,
      url: `${t.upstream.config.providers ? (t.upstream.config.providers as { codex: { base_url: string } }).codex.base_url : ''}/responses`,
      headers: { authorization: '***' },
    });
    // The body sent upstream is the one the fake received.
    expect(upstreamRequest?.body).toEqual(t.upstream.bodies()[0]);
    const events = lines.filter((l) => l.request_id === streamed);
    expect(
      events.some((l) => l.phase === 'upstream_event' && l.name === 'response.function_call_arguments.delta'),
    ).toBe(true);
    expect(
      events.some(
        (l) =>
          l.phase === 'provider_event' &&
          (l.event as { type: string; name?: string }).type === 'tool_call_started' &&
          (l.event as { name: string }).name === 'get_weather',
      ),
    ).toBe(true);
    expect(
      events.some((l) => l.phase === 'client_event' && String(l.frame).includes('response.completed')),
    ).toBe(true);
    expect(events.find((l) => l.phase === 'done')).toMatchObject({
      status: 200,
      route: 'responses',
      model: 'gpt-5.5',
      provider: 'codex',
      tool_calls: ['get_weather'],
      key_id: t.keyId,
    });
    const plainLines = lines.filter((l) => l.request_id === plain);
    expect(JSON.stringify(plainLines.find((l) => l.phase === 'upstream_request')?.body)).toContain(
      '21C and sunny',
    );
  });

  it('cuts large bodies with a marker', async () => {
    await t.close();
    t = await startTracedGateway(home.path, { server: { trace: { path: t.tracePath, max_body: 2048 } } });
    const client = new OpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: t.key, maxRetries: 0 });
    await client.responses.create({ model: 'gpt-5.5', input: 'x'.repeat(10_000) });
    await t.close();
    const received = t.traceLines().find((l) => l.phase === 'request');
    const body = received?.body as { nodex_truncated?: boolean; head?: string } | undefined;
    expect(body?.nodex_truncated).toBe(true);
    expect(body?.head).toHaveLength(2048);
  });
});

describe('audit', () => {
  it('writes one line per request on every route: model calls, a 401, /v1/models, a 404', async () => {
    await toolRoundTrip(new OpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: t.key, maxRetries: 0 }));
    const refused = await request(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer nk-wrongwrongwr-nope', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(refused.statusCode).toBe(401);
    await refused.body.text();
    const models = await request(`${t.gw.url}/v1/models`, { headers: { authorization: `Bearer ${t.key}` } });
    expect(models.statusCode).toBe(200);
    await models.body.text();
    const missing = await request(`${t.gw.url}/nope?x=1`);
    expect(missing.statusCode).toBe(404);
    await missing.body.text();
    await t.close();

    const lines = t.auditLines();
    expect(lines).toHaveLength(5);
    expect(new Set(lines.map((l) => l.request_id)).size).toBe(5);
    const [first, second, unauthorized, list, notFound] = lines;
    expect(notFound).toMatchObject({
      method: 'GET',
      path: '/nope',
      route: '/nope',
      status: 404,
      error_code: 'not_found',
    });
    expect(first).toMatchObject({
      method: 'POST',
      path: '/v1/responses',
      route: 'responses',
      key_id: t.keyId,
      key_label: 'tracer',
      model: 'gpt-5.5',
      provider: 'codex',
      status: 200,
      stream: true,
      tool_calls: ['get_weather'],
    });
    expect(first?.latency_ms).toEqual(expect.any(Number));
    expect(first?.ttft_ms).toEqual(expect.any(Number));
    expect(second).toMatchObject({ route: 'responses', status: 200, stream: false, key_id: t.keyId });
    expect(second?.input_tokens).toBeGreaterThan(0);
    expect(second?.output_tokens).toBeGreaterThan(0);
    expect(second).not.toHaveProperty('tool_calls');
    expect(unauthorized).toMatchObject({
      path: '/v1/chat/completions',
      status: 401,
      error_code: 'authentication_required',
    });
    expect(unauthorized).not.toHaveProperty('key_id');
    expect(list).toMatchObject({
      method: 'GET',
      path: '/v1/models',
      route: '/v1/models',
      status: 200,
      key_id: t.keyId,
      key_label: 'tracer',
    });
    expect(readFileSync(t.auditPath, 'utf8')).not.toContain(t.key);
    // The trace has the 401 too: its request (headers only, the body was never read) and its error.
    const trace = t.traceLines().filter((l) => l.request_id === unauthorized?.request_id);
    expect(trace.map((l) => l.phase)).toEqual(['request', 'client_response', 'error', 'done']);
    expect(trace[0]).toMatchObject({ body_read: false, headers: { authorization: '***' } });
  });
});
