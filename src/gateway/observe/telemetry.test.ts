import { createServer, type Server } from 'node:http';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { startGateway } from '../../testing/gateway-harness.js';
import { startTracedGateway, type TracedGateway } from '../../testing/traced-gateway.js';
import { telemetryLoads, tracesUrl } from './telemetry.js';

// OpenTelemetry end to end: spans exported over OTLP/HTTP to a receiver on 127.0.0.1; and with
// telemetry off, the SDK is never loaded.

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

/** A tiny OTLP/HTTP receiver: collects the JSON bodies POSTed to /v1/traces. */
async function startReceiver(): Promise<{ url: string; exports: OtlpExport[]; close(): Promise<void> }> {
  const exports: OtlpExport[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += String(chunk)));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') exports.push(JSON.parse(text) as OtlpExport);
      res.writeHead(req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const flat = (value: OtlpValue): unknown =>
  value.stringValue ??
  (value.intValue === undefined ? value.arrayValue?.values.map(flat) : Number(value.intValue));
const attributes = (list: Array<{ key: string; value: OtlpValue }>) =>
  Object.fromEntries(list.map((a) => [a.key, flat(a.value)]));

let home: ReturnType<typeof tempDir> | undefined;
let traced: TracedGateway | undefined;
afterEach(async () => {
  await traced?.close();
  home?.cleanup();
  traced = undefined;
});

describe('telemetry', () => {
  it('off (the default): the OpenTelemetry SDK is never loaded, traces and audit or not', async () => {
    const bare = await startGateway();
    const client = new OpenAI({ baseURL: `${bare.url}/v1`, apiKey: 'any', maxRetries: 0 });
    await client.chat.completions.create({ model: 'mock-text', messages: [{ role: 'user', content: 'hi' }] });
    await bare.close();
    home = tempDir();
    traced = await startTracedGateway(home.path);
    await new OpenAI({ baseURL: `${traced.gw.url}/v1`, apiKey: traced.key, maxRetries: 0 }).responses.create({
      model: 'gpt-5.5',
      input: 'hi',
    });
    await traced.close();
    expect(telemetryLoads()).toBe(0);
  });

  it('on: a span per request and a child span per upstream call, with GenAI attributes, over OTLP/HTTP', async () => {
    const receiver = await startReceiver();
    home = tempDir();
    traced = await startTracedGateway(home.path, {
      config: { telemetry: { otlp_endpoint: receiver.url, service_name: 'nodex-test' } },
    });
    const client = new OpenAI({ baseURL: `${traced.gw.url}/v1`, apiKey: traced.key, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'hi' }] });
    await traced.close(); // flushes the batch processor
    await receiver.close();
    expect(telemetryLoads()).toBe(1);

    const resources = receiver.exports.flatMap((e) => e.resourceSpans);
    expect(attributes(resources[0]?.resource.attributes ?? [])).toMatchObject({
      'service.name': 'nodex-test',
    });
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const server = spans.find((s) => s.name === 'POST /v1/chat/completions');
    const upstream = spans.find((s) => s.name === 'chat gpt-5.5');
    expect(server?.kind).toBe(2); // SERVER
    expect(upstream?.kind).toBe(3); // CLIENT
    expect(upstream?.parentSpanId).toBe(server?.spanId);
    expect(upstream?.traceId).toBe(server?.traceId);
    const genAi = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-5.5',
      'gen_ai.response.model': 'gpt-5.5',
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
    };
    const serverAttributes = attributes(server?.attributes ?? []);
    expect(serverAttributes).toMatchObject({
      ...genAi,
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'nodex.key_id': traced.keyId,
    });
    expect(serverAttributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(attributes(upstream?.attributes ?? [])).toMatchObject({
      ...genAi,
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
  });

  it('tracesUrl adds /v1/traces to a bare endpoint', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://x.example/v1/traces')).toBe('https://x.example/v1/traces');
  });
});
