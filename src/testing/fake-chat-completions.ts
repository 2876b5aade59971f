import {
  type FakeUpstream,
  type RecordedRequest,
  type Reply,
  type Script,
  startFakeUpstream,
} from './fake-upstream.js';

/**
 * A faithful fake of a Chat Completions host (research/wire.md §6.1, §6.3, §8), on the fake upstream
 * kit. `POST {basePath}/chat/completions` and `GET {basePath}/models` on 127.0.0.1. It checks the
 * key, validates message structure the way hosts do (every `tool` message answers a preceding
 * assistant tool call; every tool call is answered), streams scripted turns in the dialect's chunk
 * shapes, sends the usage chunk only when `stream_options.include_usage` asks for it, and records
 * every request.
 *
 * Dialect `gemini` (wire.md §6.3): `/v1beta/openai`, tool-call deltas without `index`, each call whole
 * in its own chunk, short ids without `call_`, a thought signature at
 * `extra_content.google.thought_signature` on the first call of each turn (Google's rule for
 * parallel calls), errors as `[{"error":{code,message,status}}]`, and a 400 "Function call is missing
 * a thought_signature in functionCall parts" when a signed call comes back without its signature.
 * Documented choices where the real answer is unknown: Gemini puts usage (when asked) on the finish
 * chunk, as in fixtures/gemini-openai-text.sse, and answers tool calls with `finish_reason: "tool_calls"`.
 */
export type FakeChatDialect = 'openai' | 'gemini';

export interface FakeChatCall {
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>> | string;
  readonly id?: string;
  /** Gemini: the signature to attach (default: generated for the turn's first call); null for none. */
  readonly thoughtSignature?: string | null;
}

/** An assistant turn, rendered in the fake's dialect. */
export interface FakeChatTurn {
  readonly text?: readonly string[];
  /** `reasoning_content` deltas (DeepSeek / vLLM style), before the text. */
  readonly reasoning?: readonly string[];
  readonly calls?: readonly FakeChatCall[];
  /** Default `tool_calls` with calls, else `stop`; `null` sends none at all. */
  readonly finishReason?: string | null;
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
  /** Raw chunks sent after the first text delta (unknown shapes, say). */
  readonly extraChunks?: readonly unknown[];
  /** An in-stream `{"error":…}` chunk sent after the content; the stream then ends without [DONE]. */
  readonly error?: Readonly<Record<string, unknown>>;
}

export type FakeChatReply =
  /** A turn, optionally paced or cut by a kit fault (`stall-during`, `disconnect`…). */
  | { readonly turn: FakeChatTurn; readonly pacing?: Reply['pacing']; readonly fault?: Reply['fault'] }
  /** 429 with `retry-after` (OpenAI) or `RetryInfo.retryDelay` (Gemini). */
  | { readonly mode: 'rate-limited'; readonly retryAfterSeconds?: number }
  | { readonly mode: 'overloaded' }
  | { readonly mode: 'server-error' }
  /** Any kit reply: raw `sse` frames or a fixture, `{ status, json }`, faults. */
  | Reply;

export interface FakeChatOptions {
  readonly dialect?: FakeChatDialect;
  /** Default `/v1` (openai) or `/v1beta/openai` (gemini). */
  readonly basePath?: string;
  /** When set, requests must carry it (`Authorization: Bearer`, or `apiKeyHeader`). */
  readonly apiKey?: string;
  /** Check the key in this header instead of `Authorization` (hosts configured with `auth: header`). */
  readonly apiKeyHeader?: string;
  /** Model ids for `GET /models` (Gemini lists them as `models/<id>`). */
  readonly models?: readonly string[];
  /** Used when nothing is queued (default: a text turn "Hello from the fake."). */
  readonly reply?: FakeChatReply;
}

export interface FakeChatCompletions {
  readonly url: string;
  /** `url` + base path: the provider's `baseUrl`. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** The `POST …/chat/completions` requests only. */
  chatRequests(): RecordedRequest[];
  /** Replies for the next valid chat requests, in order, before the default. */
  enqueue(...replies: FakeChatReply[]): void;
  script(script: Script): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
const CREATED = 1_767_225_600;

function openaiError(status: number, message: string, extra: Json = {}): Reply {
  return {
    status,
    json: { error: { message, type: 'invalid_request_error', param: null, code: null, ...extra } },
  };
}

function googleError(code: number, message: string, status: string, details?: readonly Json[]): Reply {
  return { status: code, json: [{ error: { code, message, status, ...(details ? { details } : {}) } }] };
}

function rejection(dialect: FakeChatDialect, status: number, message: string, param?: string): Reply {
  return dialect === 'gemini'
    ? googleError(status, message, 'INVALID_ARGUMENT')
    : openaiError(status, message, param ? { param } : {});
}

/** The faults of `FakeChatReply['mode']` in each dialect's shapes (wire.md §6.1, §6.3). */
function modeReply(reply: Extract<FakeChatReply, { mode: string }>, dialect: FakeChatDialect): Reply {
  const gemini = dialect === 'gemini';
  switch (reply.mode) {
    case 'rate-limited': {
      const seconds = reply.retryAfterSeconds ?? 2;
      if (gemini) {
        const retry = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` };
        return googleError(429, 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED', [
          retry,
        ]);
      }
      const message = `Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${seconds}s.`;
      return {
        ...openaiError(429, message, { type: 'requests', code: 'rate_limit_exceeded' }),
        headers: { 'retry-after': String(seconds), 'x-ratelimit-remaining-requests': '0' },
      };
    }
    case 'overloaded':
      return gemini
        ? googleError(503, 'The model is overloaded. Please try again later.', 'UNAVAILABLE')
        : openaiError(503, 'The server is overloaded or not ready yet.', { type: 'server_error' });
    case 'server-error':
      return gemini
        ? googleError(500, 'An internal error has occurred. Please retry.', 'INTERNAL')
        : openaiError(500, 'The server had an error while processing your request. Sorry about that!', {
            type: 'server_error',
          });
  }
}

function checkKey(
  request: RecordedRequest,
  options: FakeChatOptions,
  dialect: FakeChatDialect,
): Reply | undefined {
  if (options.apiKey === undefined) return undefined;
  const header = options.apiKeyHeader?.toLowerCase();
  const raw = header
    ? request.headers[header]
    : /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (raw === options.apiKey) return undefined;
  if (dialect === 'gemini') {
    if (!raw) return googleError(401, 'Missing or invalid Authorization header.', 'UNAUTHENTICATED');
    const info = { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' };
    return googleError(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', [info]);
  }
  const masked = raw ? `${raw.slice(0, 3)}${'*'.repeat(8)}${raw.slice(-4)}` : '';
  const message = raw
    ? `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`
    : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  return openaiError(401, message, { code: raw ? 'invalid_api_key' : null });
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const unanswered = (ids: ReadonlySet<string>) =>
  `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...ids].join(', ')}`;

function signatureOf(call: Json): unknown {
  const extra = call.extra_content;
  return isObject(extra) && isObject(extra.google) ? extra.google.thought_signature : undefined;
}

/**
 * Message structure as hosts check it (wire.md §7.1, §7.2; OpenAI's messages, typo included), plus
 * Gemini's thought-signature rule (§6.3) for the calls it signed.
 */
function checkMessages(
  messages: readonly unknown[],
  dialect: FakeChatDialect,
  signed: ReadonlyMap<string, string>,
): Reply | undefined {
  let pending: Set<string> | undefined;
  for (const [i, raw] of messages.entries()) {
    const message = isObject(raw) ? raw : {};
    const role = message.role;
    if (role === 'tool') {
      const id = String(message.tool_call_id);
      if (!pending?.delete(id)) {
        const text =
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
        return rejection(dialect, 400, text, `messages.[${i}].role`);
      }
      continue;
    }
    if (pending && pending.size > 0)
      return rejection(dialect, 400, unanswered(pending), `messages.[${i}].role`);
    pending = undefined;
    if (!['system', 'developer', 'user', 'assistant'].includes(String(role))) {
      const text = `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'.`;
      return rejection(dialect, 400, text, `messages.[${i}].role`);
    }
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
    if (role === 'assistant' && message.content === null && calls.length === 0) {
      const text = "Invalid value for 'content': expected a string, got null.";
      return rejection(dialect, 400, text, `messages.[${i}].content`);
    }
    if (calls.length > 0) pending = new Set(calls.map((call) => String(call.id)));
    for (const [position, call] of calls.entries()) {
      const given = signed.get(String(call.id));
      if (dialect !== 'gemini' || given === undefined) continue;
      const name = isObject(call.function) ? String(call.function.name) : '';
      const sent = signatureOf(call);
      if (sent === undefined) {
        return googleError(
          400,
          `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , position ${position + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
          'INVALID_ARGUMENT',
        );
      }
      if (sent !== given) return googleError(400, 'Corrupted thought signature.', 'INVALID_ARGUMENT');
    }
  }
  return pending && pending.size > 0 ? rejection(dialect, 400, unanswered(pending), 'messages') : undefined;
}

function checkBody(
  body: unknown,
  dialect: FakeChatDialect,
  signed: ReadonlyMap<string, string>,
): Reply | undefined {
  if (!isObject(body)) return rejection(dialect, 400, 'We could not parse the JSON body of your request.');
  if (typeof body.model !== 'string' || body.model === '')
    return rejection(dialect, 400, "Missing required parameter: 'model'.", 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    const text = "Invalid 'messages': empty array. Expected an array with minimum length 1.";
    return rejection(dialect, 400, text, 'messages');
  }
  if (body.stream !== true)
    return rejection(dialect, 400, 'fake chat completions: only stream:true is scripted', 'stream');
  if (dialect === 'openai' && 'max_tokens' in body && /^(o\d+|gpt-5)([-.]|$)/.test(body.model)) {
    const text =
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
    return openaiError(400, text, { param: 'max_tokens', code: 'unsupported_parameter' });
  }
  return checkMessages(body.messages, dialect, signed);
}

interface RenderState {
  readonly dialect: FakeChatDialect;
  readonly turn: number;
  readonly model: string;
  readonly includeUsage: boolean;
  readonly signed: Map<string, string>;
}

/** Renders a scripted turn as the dialect's SSE frames (wire.md §6.1 for openai, §6.3 for gemini). */
function renderTurn(turn: FakeChatTurn, state: RenderState): string[] {
  const gemini = state.dialect === 'gemini';
  const common = { object: 'chat.completion.chunk', created: CREATED, model: state.model };
  const head = gemini
    ? { ...common, id: `fake-gemini-${state.turn}` }
    : { ...common, id: `chatcmpl-fake${state.turn}`, system_fingerprint: 'fp_fake' };
  const chunk = (delta: Json, finish: string | null = null, extra: Json = {}): Json => ({
    ...head,
    choices: [
      gemini
        ? { delta: { ...delta, role: 'assistant' }, finish_reason: finish, index: 0 }
        : { index: 0, delta, logprobs: null, finish_reason: finish },
    ],
    ...extra,
  });
  const chunks: unknown[] = [];
  if (!gemini) chunks.push(chunk({ role: 'assistant', content: '', refusal: null }));
  for (const piece of turn.reasoning ?? []) chunks.push(chunk({ reasoning_content: piece }));
  for (const [i, piece] of (turn.text ?? []).entries()) {
    chunks.push(chunk({ content: piece }));
    if (i === 0) chunks.push(...(turn.extraChunks ?? []));
  }
  if (!turn.text?.length) chunks.push(...(turn.extraChunks ?? []));
  for (const [i, call] of (turn.calls ?? []).entries()) {
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    if (gemini) {
      const id = call.id ?? `${state.turn.toString(36)}x${i}q7m2`.slice(0, 8);
      const generated =
        i === 0 ? Buffer.from(`fake-thought-signature-${state.turn}`).toString('base64') : null;
      const signature = call.thoughtSignature === undefined ? generated : call.thoughtSignature;
      if (signature) state.signed.set(id, signature);
      const extra = signature ? { extra_content: { google: { thought_signature: signature } } } : {};
      chunks.push(
        chunk({
          tool_calls: [{ function: { arguments: args, name: call.name }, id, type: 'function', ...extra }],
        }),
      );
      continue;
    }
    const id = call.id ?? `call_fake${state.turn}x${i}`;
    chunks.push(
      chunk({
        tool_calls: [{ index: i, id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    const half = Math.ceil(args.length / 2);
    for (const piece of [args.slice(0, half), args.slice(half)])
      if (piece) chunks.push(chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
  }
  if (turn.error) return [...chunks, { error: turn.error }].map((c) => `data: ${JSON.stringify(c)}\n\n`);
  const finish =
    turn.finishReason === undefined ? (turn.calls?.length ? 'tool_calls' : 'stop') : turn.finishReason;
  const u = turn.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
  const usage = { ...u, total_tokens: u.prompt_tokens + u.completion_tokens };
  if (gemini) {
    if (finish !== null) chunks.push(chunk({ content: '' }, finish, state.includeUsage ? { usage } : {}));
  } else {
    if (finish !== null) chunks.push(chunk({}, finish));
    if (state.includeUsage)
      chunks.push({
        ...head,
        choices: [],
        usage: { ...usage, completion_tokens_details: { reasoning_tokens: 0 } },
      });
  }
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

/**
 * Starts the fake host on 127.0.0.1 (port 0).
 *
 * @example
 * const fake = await startFakeChatCompletions({ dialect: 'gemini', apiKey: 'k' });
 * fake.enqueue({ turn: { calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] } });
 * // … point a provider at fake.baseUrl; fake.chatRequests()[0].json is the body it sent …
 * await fake.close();
 */
export async function startFakeChatCompletions(options: FakeChatOptions = {}): Promise<FakeChatCompletions> {
  const dialect = options.dialect ?? 'openai';
  const basePath = (options.basePath ?? (dialect === 'gemini' ? '/v1beta/openai' : '/v1')).replace(
    /\/+$/,
    '',
  );
  const queue: FakeChatReply[] = [];
  const signed = new Map<string, string>();
  let turns = 0;
  const answer = (request: RecordedRequest): Reply => {
    const rejected = checkKey(request, options, dialect) ?? checkBody(request.json, dialect, signed);
    if (rejected) return rejected;
    const next = queue.shift() ?? options.reply ?? { turn: { text: ['Hello from the fake.'] } };
    if ('mode' in next) return modeReply(next, dialect);
    if (!('turn' in next)) return next;
    const body = request.json as Json;
    const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
    turns += 1;
    const state = { dialect, turn: turns, model: String(body.model), includeUsage, signed };
    return {
      sse: renderTurn(next.turn, state),
      ...(next.pacing ? { pacing: next.pacing } : {}),
      ...(next.fault ? { fault: next.fault } : {}),
    };
  };
  const models =
    options.models ??
    (dialect === 'gemini' ? ['gemini-2.5-flash', 'gemini-2.5-pro'] : ['gpt-4o-mini', 'gpt-5.5']);
  const fake: FakeUpstream = await startFakeUpstream([
    { method: 'POST', path: `${basePath}/chat/completions`, reply: answer },
    {
      method: 'GET',
      path: `${basePath}/models`,
      reply: (request) =>
        checkKey(request, options, dialect) ?? {
          json: {
            object: 'list',
            data: models.map((id) =>
              dialect === 'gemini'
                ? { id: `models/${id}`, object: 'model', owned_by: 'google' }
                : { id, object: 'model', created: CREATED, owned_by: 'system' },
            ),
          },
        },
    },
  ]);
  return {
    url: fake.url,
    baseUrl: `${fake.url}${basePath}`,
    requests: fake.requests,
    chatRequests: () =>
      fake.requests.filter((r) => r.method === 'POST' && r.path === `${basePath}/chat/completions`),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    script: (script) => fake.script(script),
    close: () => fake.close(),
  };
}
