import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../testing/gateway-harness.js';
import {
  errorProblems,
  type GatewayEndpoint,
  type HttpAnswer,
  header,
  POST_ENDPOINTS,
  send,
} from '../testing/gateway-http.js';

// What each POST endpoint answers to bad input: the status, the protocol's own error envelope
// (OpenAI `{error:{message,type,param,code}}`, Anthropic `{type:'error',error:{type,message},
// request_id}`), the caller's x-request-id echoed, and the gateway still serving afterwards.

const BODY_LIMIT = 4096;

let gw: TestGateway;
let sent = 0;

beforeAll(async () => {
  gw = await startGateway({ config: { server: { body_limit: `${BODY_LIMIT}b` } } });
});
afterAll(async () => {
  await gw.close();
});

interface Expected {
  readonly status: number;
  /** The nodex code (OpenAI `code`). */
  readonly code: string;
  /** The Anthropic `error.type`. */
  readonly anthropicType: string;
  /** The OpenAI `param` (Anthropic has none: the message names it instead). */
  readonly param?: string | null;
  /** Text the message must contain. */
  readonly mentions?: string;
}

/** Sends a request with a known x-request-id and checks the error answer in the endpoint's shape. */
async function expectError(
  endpoint: GatewayEndpoint,
  request: { readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> },
  expected: Expected,
): Promise<HttpAnswer> {
  sent += 1;
  const id = `bad-input-${sent}`;
  const answer = await send(`${gw.url}${endpoint.path}`, {
    method: 'POST',
    body: request.body,
    headers: { 'x-request-id': id, ...request.headers },
  });
  expect(answer.status, answer.text).toBe(expected.status);
  expect(header(answer, 'x-request-id')).toBe(id);
  const { problems, parts } = errorProblems(endpoint.shape, answer);
  expect(problems).toEqual([]);
  if (endpoint.shape === 'openai') {
    expect(parts).toMatchObject({ code: expected.code });
    if (expected.param !== undefined) expect(parts?.param).toBe(expected.param);
  } else {
    expect(parts?.type).toBe(expected.anthropicType);
    expect(JSON.parse(answer.text).request_id).toBe(id);
  }
  if (expected.mentions) expect(parts?.message).toContain(expected.mentions);
  return answer;
}

const invalid = (param: string | null, mentions?: string): Expected => ({
  status: 400,
  code: 'invalid_request',
  anthropicType: 'invalid_request_error',
  param,
  ...(mentions ? { mentions } : {}),
});

/** Wrong types per endpoint, each a 400 naming the parameter (in `param`, and in the message). */
const WRONG_TYPES: Readonly<
  Record<string, ReadonlyArray<readonly [string, Record<string, unknown>, Expected]>>
> = {
  chat: [
    ['model: 42', { model: 42 }, invalid('model', 'model')],
    ['model: {}', { model: {} }, invalid('model', 'model')],
    ['messages: "x"', { messages: 'x' }, invalid('messages', 'messages')],
    ['messages: []', { messages: [] }, invalid('messages', 'messages')],
    ['no messages', { messages: undefined }, invalid('messages', 'messages')],
    [
      'messages[0].role unknown',
      { messages: [{ role: 'wizard', content: 'x' }] },
      invalid('messages[0].role', 'messages[0].role'),
    ],
    ['tools: 5', { tools: 5 }, invalid('tools', 'tools')],
    [
      'tools[0] without a name',
      { tools: [{ type: 'function', function: {} }] },
      invalid('tools[0]', 'tools[0]'),
    ],
    ['response_format: 5', { response_format: 5 }, invalid('response_format', 'response_format')],
  ],
  responses: [
    ['model: 42', { model: 42 }, invalid('model', 'model')],
    ['model: []', { model: [] }, invalid('model', 'model')],
    ['input: 5', { input: 5 }, invalid('input', 'input')],
    ['tools: 5', { tools: 5 }, invalid('tools', 'tools')],
    ['reasoning: "high"', { reasoning: 'high' }, invalid('reasoning', 'reasoning')],
    ['text.format: 5', { text: { format: 5 } }, invalid('text.format', 'text.format')],
  ],
  messages: [
    ['model: 42', { model: 42 }, invalid('model', 'model')],
    ['messages: "x"', { messages: 'x' }, invalid('messages', 'messages')],
    ['max_tokens: "a"', { max_tokens: 'a' }, invalid('max_tokens', 'max_tokens')],
    ['max_tokens: 0', { max_tokens: 0 }, invalid('max_tokens', 'max_tokens')],
    ['no max_tokens', { max_tokens: undefined }, invalid('max_tokens', 'max_tokens')],
    ['tools: 5', { tools: 5 }, invalid('tools', 'tools')],
    ['system: 5', { system: 5 }, invalid('system', 'system')],
    [
      'messages[0].content: 5',
      { messages: [{ role: 'user', content: 5 }] },
      invalid(null, 'messages[0].content'),
    ],
  ],
  count_tokens: [
    ['model: 42', { model: 42 }, invalid('model', 'model')],
    ['messages: "x"', { messages: 'x' }, invalid('messages', 'messages')],
    ['tools: 5', { tools: 5 }, invalid('tools', 'tools')],
    ['system: 5', { system: 5 }, invalid('system', 'system')],
  ],
};

describe.each(POST_ENDPOINTS)('bad input: POST $path', (endpoint) => {
  // Every bad request is followed by a good one: the gateway keeps serving.
  afterEach(async () => {
    const good = await send(`${gw.url}${endpoint.path}`, { body: endpoint.body() });
    expect(good.status, good.text).toBe(200);
    expect(endpoint.checkOk(JSON.parse(good.text))).toBeUndefined();
  });

  it('malformed JSON is a 400 invalid_json', async () => {
    await expectError(
      endpoint,
      { body: '{"model": "mock", "messages": [' },
      {
        status: 400,
        code: 'invalid_json',
        anthropicType: 'invalid_request_error',
        param: null,
        mentions: 'not valid JSON',
      },
    );
  });

  it('an empty JSON body is a 400 invalid_json', async () => {
    await expectError(
      endpoint,
      { body: '', headers: { 'content-type': 'application/json' } },
      { status: 400, code: 'invalid_json', anthropicType: 'invalid_request_error', mentions: 'empty' },
    );
  });

  it.each(['[]', 'null', '"text"', '42', '[{"model":"mock"}]'])(
    'the JSON %s (not an object) is a 400',
    async (body) => {
      await expectError(endpoint, { body }, invalid(null, 'JSON object'));
    },
  );

  it.each(WRONG_TYPES[endpoint.name] ?? [])(
    '%s → 400 naming the parameter',
    async (_name, change, expected) => {
      const body: Record<string, unknown> = { ...endpoint.body(), ...change };
      for (const key of Object.keys(change)) if (change[key] === undefined) delete body[key];
      await expectError(endpoint, { body }, expected);
    },
  );

  it(`a body over server.body_limit is a 413 request_too_large`, async () => {
    const body = {
      ...endpoint.body(),
      messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }],
      input: 'x'.repeat(BODY_LIMIT),
    };
    await expectError(
      endpoint,
      { body },
      { status: 413, code: 'request_too_large', anthropicType: 'request_too_large', mentions: 'body_limit' },
    );
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=x',
  ])('Content-Type %s is a 415 unsupported_media_type', async (type) => {
    await expectError(
      endpoint,
      { body: JSON.stringify(endpoint.body()), headers: { 'content-type': type } },
      {
        status: 415,
        code: 'unsupported_media_type',
        anthropicType: 'invalid_request_error',
        mentions: 'application/json',
      },
    );
  });

  it('no body and no Content-Type is a 400 asking for a JSON object', async () => {
    await expectError(endpoint, {}, invalid(null, 'JSON object'));
  });

  it('application/json with a charset parameter is accepted', async () => {
    const answer = await send(`${gw.url}${endpoint.path}`, {
      body: JSON.stringify(endpoint.body()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(answer.status, answer.text).toBe(200);
  });
});

describe('bad input: unknown models', () => {
  const routed = POST_ENDPOINTS.filter((e) => e.name !== 'count_tokens');

  it.each(routed)(
    'POST $path with an unknown model is a 404 model_not_found pointing at /v1/models',
    async (endpoint) => {
      await expectError(
        endpoint,
        { body: { ...endpoint.body(), model: 'no-such-model-anywhere' } },
        {
          status: 404,
          code: 'model_not_found',
          anthropicType: 'not_found_error',
          param: 'model',
          mentions: '/v1/models',
        },
      );
    },
  );

  it.each(routed)(
    'POST $path streaming with an unknown model is a plain 404, not a stream',
    async (endpoint) => {
      const answer = await expectError(
        endpoint,
        { body: { ...endpoint.body(), model: 'no-such-model-anywhere', stream: true } },
        {
          status: 404,
          code: 'model_not_found',
          anthropicType: 'not_found_error',
          mentions: 'no-such-model-anywhere',
        },
      );
      expect(header(answer, 'content-type')).toMatch(/^application\/json/);
    },
  );

  it.each(routed)('POST $path with an unknown mock model names the mock models', async (endpoint) => {
    await expectError(
      endpoint,
      { body: { ...endpoint.body(), model: 'mock-nope' } },
      {
        status: 404,
        code: 'model_not_found',
        anthropicType: 'not_found_error',
        param: 'model',
        mentions: 'mock-{',
      },
    );
  });

  it('count_tokens counts locally: an unknown model is still counted (no routing)', async () => {
    const endpoint = POST_ENDPOINTS.find((e) => e.name === 'count_tokens') as GatewayEndpoint;
    const answer = await send(`${gw.url}${endpoint.path}`, {
      body: { ...endpoint.body(), model: 'no-such-model-anywhere' },
    });
    expect(answer.status).toBe(200);
    expect(endpoint.checkOk(JSON.parse(answer.text))).toBeUndefined();
  });

  it('GET /v1/models/{unknown} is a 404 pointing at /v1/models', async () => {
    const answer = await send(`${gw.url}/v1/models/no-such-model-anywhere`);
    expect(answer.status).toBe(404);
    const { problems, parts } = errorProblems('openai', answer);
    expect(problems).toEqual([]);
    expect(parts).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect(parts?.message).toContain('GET /v1/models');
  });
});

describe('bad input: lenient parameters (dropped and reported, not rejected)', () => {
  // Chat Completions and Responses drop a badly typed optional parameter and report it in
  // x-nodex-warnings (decode-request.ts: only what "can never pass" is fatal); Messages rejects it.
  it.each([
    [
      '/v1/chat/completions',
      { model: 'mock', messages: [{ role: 'user', content: 'hi' }], max_tokens: 'a' },
      'max_tokens',
    ],
    [
      '/v1/chat/completions',
      { model: 'mock', messages: [{ role: 'user', content: 'hi' }], temperature: 'hot' },
      'temperature',
    ],
    ['/v1/responses', { model: 'mock', input: 'hi', max_output_tokens: 'a' }, 'max_output_tokens'],
  ])('POST %s with %j → 200 and a warning naming %s', async (path, body, param) => {
    const answer = await send(`${gw.url}${path}`, { body });
    expect(answer.status, answer.text).toBe(200);
    const warnings = JSON.parse(header(answer, 'x-nodex-warnings') || '[]') as Array<{ feature: string }>;
    expect(warnings.map((w) => w.feature)).toContain(param);
  });
});

describe('bad input: unknown routes', () => {
  it.each([
    ['POST', '/v1/nope'],
    ['POST', '/v1/messages/batches'],
    ['GET', '/v1/chat/completions'],
    ['GET', '/v1/messages'],
    ['PUT', '/v1/responses'],
    ['DELETE', '/health'],
  ] as const)('%s %s is a 404 not_found in the OpenAI shape', async (method, path) => {
    const answer = await send(`${gw.url}${path}`, {
      method,
      ...(method === 'GET' ? {} : { body: '{}' }),
      headers: { 'x-request-id': 'unknown-route-1' },
    });
    expect(answer.status).toBe(404);
    expect(header(answer, 'x-request-id')).toBe('unknown-route-1');
    const { problems, parts } = errorProblems('openai', answer);
    expect(problems).toEqual([]);
    expect(parts).toMatchObject({ code: 'not_found', type: 'invalid_request_error', param: null });
    expect(parts?.message).toContain(path);
  });

  it('keeps serving afterwards', async () => {
    const health = await send(`${gw.url}/health`);
    expect([health.status, JSON.parse(health.text)]).toEqual([200, { status: 'ok', version: 'test' }]);
  });
});
