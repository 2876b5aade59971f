import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../testing/gateway-harness.js';
import {
  errorProblems,
  type GatewayEndpoint,
  type HttpAnswer,
  header,
  keepAliveAgent,
  POST_ENDPOINTS,
  send,
  streamProblems,
} from '../testing/gateway-http.js';

// Seeded fuzzing of the four POST endpoints: valid bodies (rich ones: tools, images, tool calls and
// results, structured output) mutated at the value level and at the text level, thousands of
// requests over keep-alive connections. Whatever arrives, the gateway answers below 500, in the
// endpoint's own error shape or (for streams) with well-formed SSE read to the end, and keeps serving.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type Path = ReadonlyArray<string | number>;
type Rng = () => number;

/** mulberry32: a tiny deterministic PRNG (same seed, same requests, on every run). */
function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[int(rng, items.length)] as T;
}

const SCHEMA: Json = {
  type: 'object',
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 40 },
    n: { type: 'integer', minimum: 0, maximum: 10 },
    tags: { type: 'array', items: { type: 'string' } },
    mode: { enum: ['a', 'b'] },
    ref: { $ref: '#/$defs/Thing' },
  },
  required: ['q'],
  $defs: { Thing: { type: 'object', properties: { id: { type: 'string', format: 'uri' } } } },
};
const IMAGE = 'data:image/png;base64,iVBORw0KGgo=';
const MODELS = ['mock', 'mock-echo', 'mock-text', 'mock-tool-call', 'mock-tool-loop'];

/** Rich valid bodies per endpoint: what the mutations start from. */
const TEMPLATES: Readonly<Record<string, (model: string) => Json>> = {
  chat: (model) => ({
    model,
    messages: [
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '42' },
      { role: 'user', content: 'and then?' },
    ],
    tools: [
      { type: 'function', function: { name: 'lookup', description: 'finds things', parameters: SCHEMA } },
    ],
    tool_choice: 'auto',
    temperature: 0.5,
    max_tokens: 200,
    stop: ['END'],
    response_format: { type: 'json_schema', json_schema: { name: 'out', schema: SCHEMA, strict: true } },
    stream_options: { include_usage: true },
    user: 'fuzzer',
  }),
  responses: (model) => ({
    model,
    instructions: 'be brief',
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'hi' },
          { type: 'input_image', image_url: IMAGE },
        ],
      },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }] },
      { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '42' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'it is 42' }] },
      { role: 'user', content: 'and then?' },
    ],
    tools: [
      { type: 'function', name: 'lookup', description: 'finds things', parameters: SCHEMA, strict: false },
      { type: 'web_search' },
    ],
    tool_choice: { type: 'function', name: 'lookup' },
    reasoning: { effort: 'low', summary: 'auto' },
    text: { format: { type: 'json_schema', name: 'out', schema: SCHEMA } },
    max_output_tokens: 200,
    metadata: { a: 'b' },
    include: ['reasoning.encrypted_content'],
    store: false,
  }),
  messages: (model) => ({
    model,
    max_tokens: 2048,
    system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'text', text: 'calling' },
          { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } },
        ],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '42' }] }],
      },
    ],
    tools: [{ name: 'lookup', description: 'finds things', input_schema: SCHEMA }],
    tool_choice: { type: 'auto' },
    thinking: { type: 'enabled', budget_tokens: 1024 },
    temperature: 0.5,
    stop_sequences: ['END'],
    metadata: { user_id: 'fuzzer' },
  }),
  count_tokens: (model) => ({
    model,
    system: 'be brief',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '42' }] },
    ],
    tools: [{ name: 'lookup', input_schema: SCHEMA }],
  }),
};

const KEYS = [
  'model',
  'messages',
  'input',
  'role',
  'content',
  'type',
  'text',
  'tools',
  'function',
  'name',
  'parameters',
  'input_schema',
  'tool_calls',
  'id',
  'arguments',
  'call_id',
  'output',
  'stream',
  'max_tokens',
  'system',
  'instructions',
  'tool_choice',
  'source',
  'data',
  'image_url',
  'url',
  'thinking',
  'budget_tokens',
  'reasoning',
  'schema',
  'properties',
  'items',
  '$ref',
  'enum',
  'minLength',
  'maxLength',
  'minimum',
  'required',
  'tool_use_id',
  'summary',
  'effort',
  'format',
  'json_schema',
  'response_format',
  'stream_options',
  'metadata',
  'cache_control',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '',
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2,
  42,
  65_536,
  2 ** 31,
  2 ** 53 + 2,
  1e21,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MAX_SAFE_INTEGER,
];

const STRINGS = [
  '',
  ' ',
  'mock',
  'mock-',
  'mock-nope',
  'not-a-model',
  'user',
  'assistant',
  'system',
  'tool',
  'developer',
  'function',
  'text',
  'image_url',
  'input_text',
  'tool_use',
  'tool_result',
  'json_schema',
  'json_object',
  'auto',
  'none',
  'required',
  'any',
  'enabled',
  'disabled',
  'high',
  'true',
  'null',
  '{}',
  '[]',
  '{"q":',
  '#/$defs/Thing',
  '#/$defs/Nope',
  '#/',
  'data:image/png;base64,',
  'data:;base64,%%%',
  'https://example.com/a.png',
  '\u0000',
  '\u0000\u0001\u001f',
  '\ud800',
  '\udc00x\ud83d',
  '😀🎉',
  '\u202eevil',
  '\u2028\u2029',
  'é\u0301ñ',
  '𝕏𝕐ℤ',
  '\r\n\r\ndata: [DONE]\n\n',
  'event: error\ndata: {}\n\n',
  '\\',
  '"',
  '<script>',
  '%s%n',
  '../../etc/passwd',
];

function randomString(rng: Rng): string {
  switch (int(rng, 5)) {
    case 0:
    case 1:
      return pick(rng, STRINGS);
    case 2: {
      let out = '';
      const length = int(rng, 40);
      for (let i = 0; i < length; i++) out += String.fromCharCode(int(rng, 0x3000));
      return out;
    }
    case 3: {
      let out = '';
      const length = int(rng, 30);
      for (let i = 0; i < length; i++) out += String.fromCharCode(32 + int(rng, 95));
      return out;
    }
    default:
      return pick(rng, STRINGS).repeat(1 + int(rng, 2000));
  }
}

function randomValue(rng: Rng, depth = 0): Json {
  const kind = int(rng, depth > 3 ? 4 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return rng() < 0.7 ? pick(rng, NUMBERS) : (rng() - 0.5) * 10 ** int(rng, 12);
    case 3:
      return randomString(rng);
    case 4: {
      const length = int(rng, 4);
      return Array.from({ length }, () => randomValue(rng, depth + 1));
    }
    default: {
      const out: { [key: string]: Json } = {};
      const length = int(rng, 4);
      for (let i = 0; i < length; i++)
        out[rng() < 0.8 ? pick(rng, KEYS) : randomString(rng)] = randomValue(rng, depth + 1);
      return out;
    }
  }
}

/** Arrays or objects nested `depth` deep, around a leaf. */
function nested(rng: Rng, depth: number): Json {
  const arrays = rng() < 0.5;
  let value: Json = randomValue(rng, 3);
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { [pick(rng, KEYS)]: value };
  return value;
}

function isContainer(value: Json): value is Json[] | { [key: string]: Json } {
  return typeof value === 'object' && value !== null;
}

/** Every path in the tree (root first), up to a bound. */
function paths(root: Json): Path[] {
  const out: Path[] = [[]];
  const walk = (value: Json, at: Path): void => {
    if (!isContainer(value) || out.length > 400) return;
    const entries: Array<[string | number, Json]> = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [key, child] of entries) {
      const path = [...at, key];
      out.push(path);
      walk(child, path);
    }
  };
  walk(root, []);
  return out;
}

function childOf(value: Json, key: string | number): Json | undefined {
  if (Array.isArray(value)) return typeof key === 'number' ? value[key] : undefined;
  if (isContainer(value)) return Object.hasOwn(value, String(key)) ? value[String(key)] : undefined;
  return undefined;
}

/** `root` with the node at `path` replaced by `value` (or removed, for undefined). */
function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? {};
  const [key, ...rest] = path as [string | number, ...Array<string | number>];
  const child = childOf(root, key);
  if (child === undefined) return root;
  const next = rest.length === 0 ? value : setAt(child, rest, value);
  if (Array.isArray(root)) {
    const copy = [...root];
    if (next === undefined) copy.splice(Number(key), 1);
    else copy[Number(key)] = next;
    return copy;
  }
  if (!isContainer(root)) return root;
  const copy: { [key: string]: Json } = { ...root };
  if (next === undefined) delete copy[String(key)];
  else copy[String(key)] = next;
  return copy;
}

/** One value-level mutation. */
function mutateValue(rng: Rng, root: Json): Json {
  const all = paths(root);
  const path = pick(rng, all.length > 1 ? all.slice(1) : all);
  switch (int(rng, 9)) {
    case 0:
    case 1:
      return setAt(root, path, undefined); // field deletion
    case 2:
      return setAt(root, path, randomValue(rng)); // type swap / nested garbage
    case 3:
      return setAt(root, path, randomString(rng));
    case 4:
      return setAt(root, path, pick(rng, NUMBERS));
    case 5:
      return setAt(root, path, nested(rng, 1 + int(rng, rng() < 0.3 ? 3000 : 60)));
    case 6: {
      // An unknown or duplicated-looking key next to the node.
      const parent = path.slice(0, -1);
      let target: Json = root;
      for (const key of parent) target = childOf(target, key) ?? null;
      if (!isContainer(target) || Array.isArray(target)) return root;
      return setAt(root, parent, { ...target, [pick(rng, KEYS)]: randomValue(rng) });
    }
    case 7: {
      // Duplicate an array element (many messages, many tools).
      const parent = path.slice(0, -1);
      let target: Json = root;
      for (const key of parent) target = childOf(target, key) ?? null;
      if (!Array.isArray(target)) return setAt(root, path, []);
      const item = target[int(rng, target.length)] ?? null;
      return setAt(root, parent, [...target, ...Array.from({ length: 1 + int(rng, 50) }, () => item)]);
    }
    default:
      return setAt(root, path, isContainer(childOf(root, path[0] ?? '') ?? null) ? {} : null);
  }
}

/** One text-level mutation of the JSON text. */
function mutateText(rng: Rng, text: string): string | Buffer {
  switch (int(rng, 8)) {
    case 0:
      return text.slice(0, int(rng, text.length)); // truncation
    case 1: {
      const bytes = Buffer.alloc(int(rng, 300));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(rng, 256);
      return bytes; // random bytes
    }
    case 2: // duplicated keys, first and last
      return text.startsWith('{') && text.length > 2
        ? `{"${pick(rng, KEYS)}":${JSON.stringify(randomValue(rng))},${text.slice(1, -1)},"${pick(rng, KEYS)}":${JSON.stringify(randomValue(rng))}}`
        : text;
    case 3: {
      const at = int(rng, text.length);
      return `${text.slice(0, at)}${String.fromCharCode(int(rng, 128))}${text.slice(at + 1)}`; // a flipped character
    }
    case 4: // prototype pollution attempts
      return text.startsWith('{')
        ? `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},${text.slice(1)}`
        : text;
    case 5: {
      const depth = 1 + int(rng, 20_000); // deep nesting in the text
      return rng() < 0.5
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    }
    case 6: // numbers beyond double precision and range
      return text.replace(
        /\d+/,
        pick(rng, ['1e400', '-1e400', `1${'0'.repeat(400)}`, '1e-400', '0.0000000000000000000001']),
      );
    default:
      return pick(rng, [
        'null',
        'true',
        '0',
        '"text"',
        '[]',
        '[{}]',
        '{}',
        '',
        ' ',
        '\ufeff{}',
        '{"model":"mock"}',
      ]);
  }
}

interface FuzzCase {
  readonly body: string | Buffer;
  readonly headers: Record<string, string>;
}

function fuzzCase(rng: Rng, endpoint: GatewayEndpoint): FuzzCase {
  const template = TEMPLATES[endpoint.name];
  let value: Json = template ? template(pick(rng, MODELS)) : (endpoint.body() as Json);
  if (rng() < 0.2) value = endpoint.body() as Json;
  const mutations = int(rng, 4);
  for (let i = 0; i < mutations; i++) value = mutateValue(rng, value);
  if (endpoint.stream && isContainer(value) && !Array.isArray(value) && rng() < 0.4)
    value = { ...value, stream: pick(rng, [true, true, true, false, 'true', 1, null]) };
  let body: string | Buffer = JSON.stringify(value);
  if (rng() < 0.25) body = mutateText(rng, body);
  const headers: Record<string, string> = {
    'content-type':
      rng() < 0.9
        ? pick(rng, ['application/json', 'application/json; charset=utf-8', 'Application/JSON'])
        : pick(rng, ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'json']),
  };
  if (rng() < 0.1) headers['anthropic-version'] = '2023-06-01';
  if (rng() < 0.1)
    headers['x-request-id'] = pick(rng, ['fuzz-id-1', 'bad id with spaces', 'x'.repeat(300), '']);
  return { body, headers };
}

/** Runs `run` over `items`, at most `limit` at a time. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await run(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Problems with one answer, whatever the request was. */
function answerProblems(endpoint: GatewayEndpoint, answer: HttpAnswer): string[] {
  if (answer.status >= 500) return [`status ${answer.status}: ${answer.text.slice(0, 300)}`];
  if (![200, 400, 404, 413, 415].includes(answer.status)) return [`unexpected status ${answer.status}`];
  if (answer.status !== 200) return errorProblems(endpoint.shape, answer).problems;
  if (header(answer, 'content-type').startsWith('text/event-stream')) {
    if (!endpoint.stream) return ['a stream from an endpoint that does not stream'];
    return streamProblems(endpoint.stream, answer);
  }
  try {
    return [endpoint.checkOk(JSON.parse(answer.text))].filter((p): p is string => p !== undefined);
  } catch {
    return [`200 body is not JSON: ${answer.text.slice(0, 200)}`];
  }
}

const PER_ENDPOINT = 2000;

describe('gateway fuzzing (seeded, mock provider)', () => {
  let gw: TestGateway;
  const agent = keepAliveAgent(16);

  beforeAll(async () => {
    gw = await startGateway({ config: { exec: { model: 'mock' } } });
  });
  afterAll(async () => {
    await agent.close();
    await gw.close();
  });

  it.each(POST_ENDPOINTS.map((e, i) => [e.name, e, 0x5eed + i] as const))(
    '%s: mutated bodies never get a 5xx, always the protocol shape',
    async (_name, endpoint, seed) => {
      const rng = mulberry32(seed);
      const cases = Array.from({ length: PER_ENDPOINT }, () => fuzzCase(rng, endpoint));
      const failures: string[] = [];
      const statuses = new Map<string, number>();
      await pool(cases, 16, async (fuzz, index) => {
        const answer = await send(`${gw.url}${endpoint.path}`, {
          method: 'POST',
          body: fuzz.body,
          headers: fuzz.headers,
          dispatcher: agent,
        });
        const kind = `${answer.status}${header(answer, 'content-type').startsWith('text/event-stream') ? ' stream' : ''}`;
        statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
        for (const problem of answerProblems(endpoint, answer))
          failures.push(`#${index} ${problem}\n  body: ${String(fuzz.body).slice(0, 300)}`);
      });
      expect(failures.slice(0, 5)).toEqual([]);
      // The mutations reach past the decoder (successes, streams included) and into it (400s).
      const count = (kind: string) => statuses.get(kind) ?? 0;
      expect(count('200')).toBeGreaterThan(PER_ENDPOINT / 20);
      expect(count('400')).toBeGreaterThan(PER_ENDPOINT / 5);
      if (endpoint.stream) expect(count('200 stream')).toBeGreaterThan(PER_ENDPOINT / 30);
      // Still serving: a good request, and /health.
      const good = await send(`${gw.url}${endpoint.path}`, { body: endpoint.body(), dispatcher: agent });
      expect(good.status).toBe(200);
      expect(endpoint.checkOk(JSON.parse(good.text))).toBeUndefined();
      const health = await send(`${gw.url}/health`, { dispatcher: agent });
      expect([health.status, JSON.parse(health.text)]).toEqual([200, { status: 'ok', version: 'test' }]);
    },
  );

  // Tool schemas are the caller's: the mock provider (always served) builds tool-call arguments from
  // them, so sizes, counts and $ref fan-out must stay bounded (an infinite minLength looped forever,
  // nested minItems ran the process out of memory, $ref fan-out grew exponentially).
  const HOSTILE_SCHEMAS = [
    '{"type":"object","properties":{"q":{"type":"string","minLength":1e400}},"required":["q"]}',
    '{"type":"object","properties":{"q":{"type":"array","minItems":1e400}}}',
    '{"type":"object","properties":{"q":{"type":"array","minItems":1e9,"items":{"type":"array","minItems":1e9,"items":{"type":"string","minLength":1e9}}}}}',
    `{"type":"object","properties":{${Array.from({ length: 200 }, (_, i) => `"p${i}":{"$ref":"#"}`).join(',')}}}`,
  ];
  const TOOL_BODIES: ReadonlyArray<readonly [GatewayEndpoint, (schema: string) => string]> = [
    [
      POST_ENDPOINTS[0] as GatewayEndpoint,
      (schema) =>
        `{"model":"mock-tool-call","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]`,
    ],
    [
      POST_ENDPOINTS[1] as GatewayEndpoint,
      (schema) =>
        `{"model":"mock-tool-call","input":"hi","tools":[{"type":"function","name":"f","parameters":${schema}}]`,
    ],
    [
      POST_ENDPOINTS[2] as GatewayEndpoint,
      (schema) =>
        `{"model":"mock-tool-call","max_tokens":64,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":${schema}}]`,
    ],
  ];

  it.each(TOOL_BODIES.map(([endpoint, body]) => [endpoint.name, endpoint, body] as const))(
    '%s: hostile tool schemas get a bounded tool call, streamed or not',
    async (_name, endpoint, body) => {
      for (const schema of HOSTILE_SCHEMAS)
        for (const stream of [false, true]) {
          const answer = await send(`${gw.url}${endpoint.path}`, {
            body: `${body(schema)},"stream":${stream}}`,
            dispatcher: agent,
          });
          expect(answer.status, answer.text.slice(0, 300)).toBe(200);
          expect(answerProblems(endpoint, answer)).toEqual([]);
          expect(answer.text.length).toBeLessThan(2_000_000);
        }
      const health = await send(`${gw.url}/health`, { dispatcher: agent });
      expect(health.status).toBe(200);
    },
  );

  it('the same seed makes the same requests', () => {
    const endpoint = POST_ENDPOINTS[0] as GatewayEndpoint;
    const a = mulberry32(7);
    const b = mulberry32(7);
    const first = Array.from({ length: 50 }, () => fuzzCase(a, endpoint));
    const second = Array.from({ length: 50 }, () => fuzzCase(b, endpoint));
    expect(second).toEqual(first);
  });
});
