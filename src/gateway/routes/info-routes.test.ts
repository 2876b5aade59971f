import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';

let gw: TestGateway;

beforeEach(async () => {
  gw = await startGateway({ config: { routing: { aliases: { fast: 'mock-text' } } } });
});
afterEach(() => gw.close(0));

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, { headers: { authorization: 'Bearer any', ...headers } });

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer any', ...headers },
    body: JSON.stringify(body),
  });

describe('info routes', () => {
  it('GET /health and GET / answer without a key; HEAD / answers (Claude Code sends it first)', async () => {
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', version: 'test' });
    expect(await (await fetch(`${gw.url}/`)).json()).toMatchObject({ name: 'nodex' });
    expect((await fetch(`${gw.url}/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('GET /v1/models lists the models in the OpenAI shape, or the Anthropic shape on anthropic-version', async () => {
    const openai = (await (await get('/v1/models')).json()) as {
      object: string;
      data: Array<{ id: string; object: string; owned_by: string }>;
    };
    expect(openai.object).toBe('list');
    expect(openai.data).toContainEqual(
      expect.objectContaining({ id: 'mock', object: 'model', owned_by: 'mock' }),
    );

    const anthropic = (await (await get('/v1/models', { 'anthropic-version': '2023-06-01' })).json()) as {
      data: Array<{ type: string; id: string; display_name: string; created_at: string }>;
      has_more: boolean;
      first_id: string;
    };
    expect(anthropic.has_more).toBe(false);
    expect(anthropic.first_id).toBe(anthropic.data[0]?.id);
    const mock = anthropic.data.find((m) => m.id === 'mock');
    expect(mock).toMatchObject({ type: 'model', display_name: 'Mock (default mode)' });
    expect(Number.isNaN(Date.parse(mock?.created_at ?? 'x'))).toBe(false);
  });

  it('GET /v1/models/{id} names the backend and the alias; an unknown id is a 404 with a hint', async () => {
    expect(await (await get('/v1/models/mock')).json()).toMatchObject({
      id: 'mock',
      object: 'model',
      backend: 'mock',
      display_name: 'Mock (default mode)',
    });
    expect(await (await get('/v1/models/fast')).json()).toMatchObject({
      id: 'mock-text',
      backend: 'mock',
      alias: 'fast',
    });
    const missing = await get('/v1/models/no-such-model');
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: { code: string; param: string; message: string } };
    expect(body.error).toMatchObject({
      code: 'model_not_found',
      param: 'model',
      type: 'invalid_request_error',
    });
    expect(body.error.message).toContain('GET /v1/models');
  });

  it('POST /v1/messages/count_tokens counts the input, and answers bad input in the Anthropic shape', async () => {
    const count = async (text: string) => {
      const response = await post('/v1/messages/count_tokens', {
        model: 'mock',
        messages: [{ role: 'user', content: text }],
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { input_tokens: number }).input_tokens;
    };
    const short = await count('hello');
    const long = await count('hello '.repeat(200));
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(short + 150);

    const bad = await post('/v1/messages/count_tokens', { model: 'mock', messages: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('echoes a sane x-request-id, makes one up otherwise, and logs it', async () => {
    const body = { model: 'mock', messages: [{ role: 'user', content: 'hi' }] };
    const echoed = await post('/v1/chat/completions', body, { 'x-request-id': 'trace-42.a:b' });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a:b');
    const made = await post('/v1/chat/completions', body, { 'x-request-id': 'bad id with spaces' });
    expect(made.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
    const streamed = await post(
      '/v1/chat/completions',
      { ...body, stream: true },
      { 'x-request-id': 'trace-s' },
    );
    expect(streamed.headers.get('x-request-id')).toBe('trace-s');
    await streamed.text();
    const ids = gw.logs.filter((l) => l.msg === 'request').map((l) => l.request_id);
    expect(ids).toEqual(['trace-42.a:b', made.headers.get('x-request-id'), 'trace-s']);
  });

  it('reports dropped parameters in x-nodex-warnings and the access log', async () => {
    const response = await post('/v1/messages', {
      model: 'mock',
      max_tokens: 50,
      top_k: 5,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.status).toBe(200);
    const warnings = JSON.parse(response.headers.get('x-nodex-warnings') ?? '[]') as Array<{
      feature: string;
    }>;
    expect(warnings.map((w) => w.feature)).toContain('top_k');
    expect(gw.logs.find((l) => l.msg === 'request')).toMatchObject({ warnings: warnings.length });
  });

  it('GET /metrics counts requests by route, model, provider and status, with latency, TTFT and tokens', async () => {
    const body = { model: 'mock', messages: [{ role: 'user', content: 'hi' }] };
    await (await post('/v1/chat/completions', body)).text();
    await (await post('/v1/chat/completions', { ...body, stream: true })).text();
    await (await post('/v1/chat/completions', { ...body, model: 'no-such-model' })).text();
    const response = await fetch(`${gw.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('nodex_requests_total{route="chat",model="mock",provider="mock",status="200"} 2');
    expect(text).toMatch(
      /nodex_requests_total\{route="chat",model="no-such-model",provider="none",status="404"\} 1/,
    );
    expect(text).toContain('nodex_request_duration_seconds_count{route="chat",provider="mock"} 2');
    expect(text).toContain('nodex_time_to_first_token_seconds_count{route="chat",provider="mock"} 2');
    expect(text).toMatch(/nodex_tokens_total\{provider="mock",model="mock",kind="output"\} [1-9]/);
    expect(text).toMatch(/^nodex_active_streams 0$/m);
    expect(text).toMatch(/^nodex_usage_records_queued 0$/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
