import { Agent, request } from 'undici';
import { ERROR_CODES, isErrorCode } from '../core/error-codes.js';

/** Which error envelope an endpoint answers with. */
export type ErrorShape = 'openai' | 'anthropic';

/** How a successful stream of an endpoint ends. */
export type StreamKind = 'chat' | 'responses' | 'messages';

/** One POST endpoint of the gateway, with a small valid body. */
export interface GatewayEndpoint {
  readonly name: string;
  readonly path: string;
  readonly shape: ErrorShape;
  /** Set when the endpoint can stream (`stream: true`). */
  readonly stream?: StreamKind;
  /** A valid body for the mock provider. */
  readonly body: () => Record<string, unknown>;
  /** What a good non-streaming answer must look like (a problem, or undefined when it is fine). */
  readonly checkOk: (body: unknown) => string | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The four POST endpoints, each with the smallest body the mock provider answers. */
export const POST_ENDPOINTS: readonly GatewayEndpoint[] = [
  {
    name: 'chat',
    path: '/v1/chat/completions',
    shape: 'openai',
    stream: 'chat',
    body: () => ({ model: 'mock', messages: [{ role: 'user', content: 'hi' }] }),
    checkOk: (body) =>
      isObject(body) && body.object === 'chat.completion' && Array.isArray(body.choices)
        ? undefined
        : 'not a chat.completion',
  },
  {
    name: 'responses',
    path: '/v1/responses',
    shape: 'openai',
    stream: 'responses',
    body: () => ({ model: 'mock', input: 'hi' }),
    checkOk: (body) =>
      isObject(body) && body.object === 'response' && Array.isArray(body.output)
        ? undefined
        : 'not a response',
  },
  {
    name: 'messages',
    path: '/v1/messages',
    shape: 'anthropic',
    stream: 'messages',
    body: () => ({ model: 'mock', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
    checkOk: (body) =>
      isObject(body) && body.type === 'message' && Array.isArray(body.content) ? undefined : 'not a message',
  },
  {
    name: 'count_tokens',
    path: '/v1/messages/count_tokens',
    shape: 'anthropic',
    body: () => ({ model: 'mock', messages: [{ role: 'user', content: 'hi' }] }),
    checkOk: (body) =>
      isObject(body) && typeof body.input_tokens === 'number' && Number.isInteger(body.input_tokens)
        ? undefined
        : 'no integer input_tokens',
  },
];

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The whole body, read to the end. */
  readonly text: string;
}

export interface SendOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A value is sent as JSON; a string or Buffer is sent as is. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly dispatcher?: Agent;
}

/**
 * One HTTP request to the gateway, its body read to the end. A plain object body is sent as JSON
 * with `content-type: application/json` unless the caller sets one.
 *
 * @example
 * const answer = await send(`${gw.url}/v1/responses`, { body: { model: 'mock', input: 'hi' } });
 */
export async function send(url: string, options: SendOptions = {}): Promise<HttpAnswer> {
  const raw = options.body;
  const body =
    raw === undefined || typeof raw === 'string' || Buffer.isBuffer(raw) ? raw : JSON.stringify(raw);
  const headers: Record<string, string> = {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  const answer = await request(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

/** A header as one string ('' when absent). */
export function header(answer: HttpAnswer, name: string): string {
  const value = answer.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const OPENAI_TYPES = new Set(Object.values(ERROR_CODES).map((c) => c.openaiType));
const ANTHROPIC_TYPES = new Set(Object.values(ERROR_CODES).map((c) => c.anthropicType));

/** The parts of an error answer the tests look at, once its envelope is checked. */
export interface ErrorParts {
  readonly message: string;
  readonly type: string;
  /** OpenAI only. */
  readonly code?: string;
  readonly param?: string | null;
}

/**
 * Checks an error answer against its protocol's envelope (src/protocols/openai-error.ts,
 * anthropic-messages/encode-error.ts): JSON content type, the exact set of keys, known `type` and
 * `code` words matching docs/errors.md, and `x-request-id` (equal to the Anthropic `request_id`).
 * Returns the problems found (none when the answer is well-formed) and the parts.
 */
export function errorProblems(
  shape: ErrorShape,
  answer: HttpAnswer,
): { readonly problems: string[]; readonly parts?: ErrorParts } {
  const problems: string[] = [];
  const id = header(answer, 'x-request-id');
  if (!id) problems.push('no x-request-id header');
  if (!header(answer, 'content-type').startsWith('application/json'))
    problems.push(`content-type ${header(answer, 'content-type')}`);
  const parsed = parseJson(answer.text);
  if (!parsed.ok) return { problems: [...problems, `body is not JSON: ${answer.text.slice(0, 200)}`] };
  const body = parsed.value;
  if (shape === 'openai') {
    const error = isObject(body) ? body.error : undefined;
    if (!isObject(body) || Object.keys(body).join() !== 'error' || !isObject(error))
      return { problems: [...problems, `not {error:{…}}: ${answer.text.slice(0, 200)}`] };
    const { message, type, param, code } = error;
    if (Object.keys(error).sort().join() !== 'code,message,param,type')
      problems.push(`error keys ${Object.keys(error).join()}`);
    if (typeof message !== 'string' || message === '')
      problems.push('error.message is not a non-empty string');
    if (typeof type !== 'string' || !OPENAI_TYPES.has(type)) problems.push(`error.type ${String(type)}`);
    if (param !== null && typeof param !== 'string') problems.push('error.param is not a string or null');
    if (typeof code !== 'string' || !isErrorCode(code)) problems.push(`error.code ${String(code)}`);
    else if (type !== ERROR_CODES[code].openaiType) problems.push(`error.type ${String(type)} for ${code}`);
    else if (answer.status !== (ERROR_CODES[code].status === 529 ? 503 : ERROR_CODES[code].status))
      problems.push(`status ${answer.status} for ${code}`);
    return {
      problems,
      parts: {
        message: String(message),
        type: String(type),
        code: String(code),
        param: typeof param === 'string' ? param : null,
      },
    };
  }
  const error = isObject(body) ? body.error : undefined;
  if (!isObject(body) || body.type !== 'error' || !isObject(error))
    return { problems: [...problems, `not {type:'error',error:{…}}: ${answer.text.slice(0, 200)}`] };
  const extra = Object.keys(body).filter((k) => k !== 'type' && k !== 'error' && k !== 'request_id');
  if (extra.length > 0) problems.push(`extra keys ${extra.join()}`);
  if (body.request_id !== id) problems.push(`request_id ${String(body.request_id)} ≠ x-request-id ${id}`);
  const { message, type } = error;
  if (Object.keys(error).sort().join() !== 'message,type')
    problems.push(`error keys ${Object.keys(error).join()}`);
  if (typeof message !== 'string' || message === '') problems.push('error.message is not a non-empty string');
  if (typeof type !== 'string' || !ANTHROPIC_TYPES.has(type)) problems.push(`error.type ${String(type)}`);
  return { problems, parts: { message: String(message), type: String(type) } };
}

/** One server-sent event as found on the wire. */
export interface SseFrame {
  readonly event?: string;
  readonly data: string;
}

/**
 * Splits SSE text into frames and checks it is well-formed: every line is `event:`, `data:` or a
 * comment, every frame ends with a blank line, and every data line is JSON (`[DONE]` aside).
 */
export function parseSse(text: string): { readonly frames: SseFrame[]; readonly problems: string[] } {
  const problems: string[] = [];
  const frames: SseFrame[] = [];
  if (!text.endsWith('\n\n')) problems.push(`the stream does not end with a blank line: …${text.slice(-80)}`);
  for (const block of text.split('\n\n')) {
    if (block === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event: ')) event = line.slice('event: '.length);
      else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
      else problems.push(`stray line ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (data.length === 0) {
      if (event !== undefined) problems.push(`event ${event} without data`);
      continue;
    }
    const joined = data.join('\n');
    if (joined !== '[DONE]' && !parseJson(joined).ok)
      problems.push(`data is not JSON: ${joined.slice(0, 120)}`);
    frames.push({ ...(event === undefined ? {} : { event }), data: joined });
  }
  return { frames, problems };
}

/**
 * Checks a 200 stream of a protocol: well-formed SSE that ends the way a successful stream of that
 * protocol ends (chat `[DONE]` without an error chunk, Responses `response.completed`, Messages
 * `message_stop` without an `error` event).
 */
export function streamProblems(kind: StreamKind, answer: HttpAnswer): string[] {
  const problems: string[] = [];
  if (!header(answer, 'content-type').startsWith('text/event-stream'))
    problems.push(`content-type ${header(answer, 'content-type')}`);
  if (!header(answer, 'x-request-id')) problems.push('no x-request-id header');
  const { frames, problems: sse } = parseSse(answer.text);
  problems.push(...sse);
  const last = frames.at(-1);
  switch (kind) {
    case 'chat':
      if (last?.data !== '[DONE]') problems.push('chat stream does not end with [DONE]');
      if (frames.some((f) => f.data.startsWith('{"error"'))) problems.push('chat stream has an error chunk');
      break;
    case 'responses':
      if (last?.event !== 'response.completed') problems.push(`responses stream ends with ${last?.event}`);
      break;
    case 'messages':
      if (last?.event !== 'message_stop') problems.push(`messages stream ends with ${last?.event}`);
      if (frames.some((f) => f.event === 'error')) problems.push('messages stream has an error event');
      break;
  }
  return problems;
}

/** A keep-alive connection pool for many requests to one gateway. */
export function keepAliveAgent(connections: number): Agent {
  return new Agent({ connections, keepAliveTimeout: 10_000, pipelining: 1 });
}
