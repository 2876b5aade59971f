#!/usr/bin/env node
// A fast mock LLM upstream for the benchmarks, on 127.0.0.1 only. It speaks:
// - OpenAI Chat Completions: POST /v1/chat/completions (JSON, or `stream: true` SSE with the usage
//   chunk when `stream_options.include_usage` is set), shaped like src/testing/fixtures/chat-completions-text.sse;
// - OpenAI Responses as the ChatGPT Codex backend streams it: POST /backend-api/codex/responses (always
//   SSE) and POST /v1/responses (SSE, or JSON when `stream` is not true), shaped like codex-text.sse;
// - Anthropic Messages: POST /v1/messages (SSE, or JSON), shaped like anthropic-text.sse;
// - GET /v1/models and GET /backend-api/codex/models (small lists, for discovery).
// It checks nothing (no auth, no validation): it is there to cost as little as possible.
//
// Tuning (POST /__bench/config with any of these, or the same flags on the command line):
//   latencyMs  delay before the response headers (upstream "thinking" time), default 0
//   intervalMs delay between text deltas of a stream (SSE pacing); 0 writes the whole answer at once
//   deltas     text deltas per answer (default 8); deltaSize characters per delta (default 6)
// GET /__bench/stats → { requests, connections (TCP connections accepted), active, peakActive };
// POST /__bench/stats/reset zeroes them.
//
// Run alone: `node bench/mock-upstream.mjs [--port 0] [--latency-ms 0] [--interval-ms 0] [--deltas 8]`;
// it prints `listening on http://127.0.0.1:PORT` once it accepts connections.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

export const DEFAULT_MOCK_CONFIG = Object.freeze({ latencyMs: 0, intervalMs: 0, deltas: 8, deltaSize: 6 });

const WORDS = ['Hello', ' there', ' from', ' the', ' mock', ' upstream', ' of', ' nodex', ' bench', ' runs'];
const CREATED = 1767225600;

const TEXT = WORDS.join('');

/** The text of delta `i`, `size` characters long: consecutive slices of a repeated sentence. */
function deltaText(i, size) {
  let text = '';
  let at = (i * size) % TEXT.length;
  while (text.length < size) {
    text += TEXT.slice(at, at + size - text.length);
    at = 0;
  }
  return text;
}

const sse = (payload, event) =>
  event === undefined
    ? `data: ${JSON.stringify(payload)}\n\n`
    : `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;

/**
 * One answer, pre-rendered: `head` (everything up to and including the first delta), `deltas` (the
 * other deltas, one frame each), `tail` (what follows the last delta); or `json` for a plain body.
 * `kind` is `chat`, `responses` (Codex's SSE) or `messages`.
 *
 * @example
 * const { head, deltas, tail } = renderAnswer('responses', 'gpt-5.5', true, false, { deltas: 1000, deltaSize: 4 });
 */
export function renderAnswer(kind, model, stream, includeUsage, config) {
  const texts = Array.from({ length: config.deltas }, (_, i) => deltaText(i, config.deltaSize));
  const fullText = texts.join('');
  const inputTokens = 12;
  const outputTokens = config.deltas;
  if (kind === 'chat')
    return renderChat(model, stream, includeUsage, texts, fullText, inputTokens, outputTokens);
  if (kind === 'messages') return renderMessages(model, stream, texts, fullText, inputTokens, outputTokens);
  return renderResponses(model, stream, texts, fullText, inputTokens, outputTokens);
}

function renderChat(model, stream, includeUsage, texts, fullText, inputTokens, outputTokens) {
  const id = 'chatcmpl-BenchMock0000000000000000000';
  const usage = {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
  if (!stream) {
    return {
      json: {
        id,
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: fullText, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_benchmock',
      },
    };
  }
  const head = {
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_benchmock',
  };
  const chunk = (delta, finish = null) =>
    sse({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const frames = texts.map((content) => chunk({ content }));
  let tail = chunk({}, 'stop');
  if (includeUsage) tail += sse({ ...head, choices: [], usage });
  tail += 'data: [DONE]\n\n';
  return {
    head: chunk({ role: 'assistant', content: '', refusal: null }) + (frames[0] ?? ''),
    deltas: frames.slice(1),
    tail,
  };
}

function responseObject(model, status, output, usage) {
  return {
    id: 'resp_benchmock0000000000000000000000000000000000',
    object: 'response',
    created_at: CREATED,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: 'You are a helpful assistant.',
    max_output_tokens: null,
    max_tool_calls: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    reasoning: { effort: 'medium', summary: 'auto' },
    safety_identifier: null,
    service_tier: 'auto',
    store: false,
    temperature: 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1.0,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

function renderResponses(model, stream, texts, fullText, inputTokens, outputTokens) {
  const itemId = 'msg_benchmock00000000000000000000000000000000000';
  const part = { type: 'output_text', annotations: [], logprobs: [], text: fullText };
  const item = { id: itemId, type: 'message', status: 'completed', content: [part], role: 'assistant' };
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
  if (!stream) return { json: responseObject(model, 'completed', [item], usage) };
  let seq = 0;
  const ev = (type, fields) => sse({ type, sequence_number: seq++, ...fields }, type);
  const started = responseObject(model, 'in_progress', [], null);
  const pos = { item_id: itemId, output_index: 0, content_index: 0 };
  let head = ev('response.created', { response: started });
  head += ev('response.in_progress', { response: started });
  head += ev('response.output_item.added', {
    output_index: 0,
    item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
  });
  head += ev('response.content_part.added', { ...pos, part: { ...part, text: '' } });
  const frames = texts.map((delta) =>
    ev('response.output_text.delta', { ...pos, delta, logprobs: [], obfuscation: 'x7Qp2LmN' }),
  );
  let tail = ev('response.output_text.done', { ...pos, text: fullText, logprobs: [] });
  tail += ev('response.content_part.done', { ...pos, part });
  tail += ev('response.output_item.done', { output_index: 0, item });
  tail += ev('response.completed', { response: responseObject(model, 'completed', [item], usage) });
  return { head: head + (frames[0] ?? ''), deltas: frames.slice(1), tail };
}

function renderMessages(model, stream, texts, fullText, inputTokens, outputTokens) {
  const id = 'msg_01BenchMock000000000000000';
  if (!stream) {
    return {
      json: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: fullText }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: inputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: outputTokens,
        },
      },
    };
  }
  const message = {
    id,
    type: 'message',
    role: 'assistant',
    content: [],
    model,
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 1,
    },
  };
  let head = sse({ type: 'message_start', message }, 'message_start');
  head += sse(
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    'content_block_start',
  );
  head += sse({ type: 'ping' }, 'ping');
  const frames = texts.map((text) =>
    sse(
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      'content_block_delta',
    ),
  );
  let tail = sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop');
  tail += sse(
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: outputTokens },
    },
    'message_delta',
  );
  tail += sse({ type: 'message_stop' }, 'message_stop');
  return { head: head + (frames[0] ?? ''), deltas: frames.slice(1), tail };
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Extra response headers each real upstream sends (shape only, values made up). */
const KIND_HEADERS = {
  chat: { 'openai-processing-ms': '1', 'x-request-id': 'req_benchmock' },
  codex: {
    'x-codex-plan-type': 'plus',
    'x-codex-primary-used-percent': '23.5',
    'x-codex-primary-window-minutes': '300',
    'x-codex-primary-reset-at': '1767240000',
    'x-codex-secondary-used-percent': '8',
    'x-codex-secondary-window-minutes': '10080',
    'x-codex-secondary-reset-at': '1767657600',
  },
  responses: { 'x-request-id': 'req_benchmock' },
  messages: { 'request-id': 'req_benchmock', 'anthropic-ratelimit-requests-limit': '4000' },
};

const ROUTES = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/backend-api/codex/responses': 'codex',
  '/v1/messages': 'messages',
};

function numberOption(value, name) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`mock-upstream: ${name} must be a number >= 0`);
  return n;
}

function mergeConfig(current, patch) {
  const next = { ...current };
  for (const key of Object.keys(DEFAULT_MOCK_CONFIG)) {
    if (patch[key] !== undefined) next[key] = numberOption(patch[key], key);
  }
  next.deltas = Math.max(1, Math.floor(next.deltas));
  next.deltaSize = Math.max(1, Math.floor(next.deltaSize));
  return next;
}

/**
 * Starts the mock on 127.0.0.1.
 *
 * @param {{ port?: number, config?: Partial<typeof DEFAULT_MOCK_CONFIG> }} [options]
 * @returns {Promise<{ url: string, port: number, setConfig(patch: object): void, stats(): object, close(): Promise<void> }>}
 */
export async function startMockUpstream(options = {}) {
  let config = mergeConfig(DEFAULT_MOCK_CONFIG, options.config ?? {});
  let cache = new Map();
  const stats = { requests: 0, connections: 0, active: 0, peakActive: 0 };

  const answer = (kind, model, stream, includeUsage) => {
    const key = `${kind}\u0000${model}\u0000${stream}\u0000${includeUsage}`;
    let rendered = cache.get(key);
    if (rendered === undefined) {
      rendered = renderAnswer(kind === 'codex' ? 'responses' : kind, model, stream, includeUsage, config);
      if (rendered.json !== undefined) rendered.body = Buffer.from(JSON.stringify(rendered.json));
      else rendered.whole = Buffer.from(rendered.head + rendered.deltas.join('') + rendered.tail);
      if (cache.size > 1000) cache = new Map();
      cache.set(key, rendered);
    }
    return rendered;
  };

  const respond = (res, kind, body) => {
    let parsed = {};
    try {
      parsed = JSON.parse(body);
    } catch {
      res
        .writeHead(400, JSON_HEADERS)
        .end('{"error":{"message":"invalid JSON","type":"invalid_request_error"}}');
      return;
    }
    const model = typeof parsed.model === 'string' ? parsed.model : 'mock-model';
    const stream = kind === 'codex' || parsed.stream === true;
    const includeUsage = parsed.stream_options?.include_usage === true;
    const rendered = answer(kind, model, stream, includeUsage);
    const extra = KIND_HEADERS[kind];
    const send = () => {
      if (res.destroyed) return;
      if (!stream) {
        res.writeHead(200, { ...JSON_HEADERS, ...extra, 'content-length': rendered.body.length });
        res.end(rendered.body);
        return;
      }
      res.writeHead(200, { ...SSE_HEADERS, ...extra });
      if (config.intervalMs <= 0) {
        res.end(rendered.whole);
        return;
      }
      stats.active++;
      if (stats.active > stats.peakActive) stats.peakActive = stats.active;
      let done = false;
      let timer;
      const finish = () => {
        if (done) return;
        done = true;
        stats.active--;
        clearTimeout(timer);
      };
      res.on('close', finish);
      res.write(rendered.head);
      let i = 0;
      const interval = config.intervalMs;
      const next = () => {
        if (res.destroyed) return finish();
        if (i < rendered.deltas.length) {
          res.write(rendered.deltas[i++]);
          timer = setTimeout(next, interval);
          return;
        }
        res.end(rendered.tail);
        finish();
      };
      timer = setTimeout(next, interval);
    };
    if (config.latencyMs > 0) setTimeout(send, config.latencyMs);
    else send();
  };

  const server = createServer({ keepAliveTimeout: 120_000, headersTimeout: 130_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && ROUTES[path] !== undefined) {
      stats.requests++;
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => respond(res, ROUTES[path], Buffer.concat(chunks).toString('utf8')));
      return;
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/backend-api/codex/models')) {
      const body =
        path === '/v1/models'
          ? {
              object: 'list',
              data: [{ id: 'mock-model', object: 'model', created: CREATED, owned_by: 'bench' }],
            }
          : {
              models: [
                { slug: 'gpt-bench', display_name: 'GPT bench', visibility: 'list', supported_in_api: true },
              ],
            };
      res.writeHead(200, JSON_HEADERS).end(JSON.stringify(body));
      return;
    }
    if (path === '/__bench/config' && req.method === 'POST') {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        try {
          config = mergeConfig(config, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
          cache = new Map();
          res.writeHead(200, JSON_HEADERS).end(JSON.stringify(config));
        } catch (error) {
          res.writeHead(400, JSON_HEADERS).end(JSON.stringify({ error: String(error) }));
        }
      });
      return;
    }
    if (path === '/__bench/stats') {
      res.writeHead(200, JSON_HEADERS).end(JSON.stringify(stats));
      return;
    }
    if (path === '/__bench/stats/reset' && req.method === 'POST') {
      stats.requests = 0;
      stats.connections = 0;
      stats.peakActive = stats.active;
      res.writeHead(200, JSON_HEADERS).end(JSON.stringify(stats));
      return;
    }
    res.writeHead(404, JSON_HEADERS).end('{"error":{"message":"not found","type":"not_found"}}');
  });
  server.maxRequestsPerSocket = 0;
  server.on('connection', () => {
    stats.connections++;
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setConfig: (patch) => {
      config = mergeConfig(config, patch);
      cache = new Map();
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`mock-upstream: unknown argument ${arg}`);
    const value = match[2] ?? argv[++i];
    const name = match[1] ?? '';
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    out[key] = Number(value);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { port, ...config } = parseArgs(process.argv.slice(2));
  const mock = await startMockUpstream({ port: port ?? 0, config });
  process.stdout.write(`listening on ${mock.url}\n`);
  const stop = () => {
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
