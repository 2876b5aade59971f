import {
  type FakeUpstream,
  type RecordedRequest,
  type Reply,
  type Script,
  startFakeUpstream,
} from './fake-upstream.js';
import { fixtureJson } from './fixtures.js';

/**
 * A faithful fake of the ChatGPT Codex backend (research/wire.md §8), built on the fake upstream
 * kit. It serves `POST {basePath}/responses` and `GET {basePath}/models` on 127.0.0.1, checks a
 * request the way the real backend does (the exact `{"detail":…}` bodies of wire.md §2.3 /
 * fixtures/codex-http-errors.json), streams a scripted reply with `x-codex-*` headers, and records
 * every request. The default base path is the real one, `/backend-api/codex`.
 *
 * Where the real answer is not known, the fake makes a documented choice: a missing
 * `ChatGPT-Account-ID` is a 400 `{"detail":"Missing ChatGPT-Account-ID header"}`, an expired JWT a
 * 401 whose `error.code` is `token_expired`, and ids or long names in the input get OpenAI-style
 * `{"error":{…}}` bodies.
 */
export const FAKE_CODEX_BASE_PATH = '/backend-api/codex';

/** `x-codex-*` headers sent on 200 streams by default (shape of wire.md §2.5, values made up). */
export const FAKE_CODEX_QUOTA_HEADERS: Readonly<Record<string, string>> = {
  'x-codex-plan-type': 'plus',
  'x-codex-active-limit': 'premium',
  'x-codex-primary-used-percent': '23.5',
  'x-codex-primary-window-minutes': '300',
  'x-codex-primary-reset-at': '1767240000',
  'x-codex-secondary-used-percent': '8',
  'x-codex-secondary-window-minutes': '10080',
  'x-codex-secondary-reset-at': '1767657600',
  'x-codex-credits-has-credits': 'False',
  'x-codex-credits-unlimited': 'False',
  'x-codex-credits-balance': '0',
};

/** Parameters the backend answers with 400 "Unsupported parameter: <name>" (wire.md §2.3, §7.9). */
export const CODEX_UNSUPPORTED_PARAMS = [
  'max_output_tokens',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'user',
  'metadata',
  'prompt_cache_retention',
  'safety_identifier',
  'previous_response_id',
  'stream_options',
] as const;

/** What the fake answers a valid `/responses` request with. */
export type FakeCodexReply =
  /** Any kit reply: `{ sse: { fixture: 'codex-text.sse' } }`, `{ status: 500, json }`, faults, pacing. */
  | Reply
  /** 429 `usage_limit_reached` with the body and headers of fixtures/codex-http-429-usage-limit.json. */
  | {
      readonly mode: 'usage-limit';
      readonly planType?: string;
      readonly resetsAt?: number;
      readonly resetsInSeconds?: number;
    }
  /** A 200 stream whose first event after created / in_progress is an overload `error` (wire.md §3 quirk 3). */
  | { readonly mode: 'overloaded-first' };

export interface FakeCodexOptions {
  /** Default `/backend-api/codex`; the provider's `baseUrl` is then `fake.baseUrl`. */
  readonly basePath?: string;
  /** The reply when nothing is queued (default: the codex-text.sse fixture). */
  readonly reply?: FakeCodexReply | ((request: RecordedRequest) => FakeCodexReply);
  /** `x-codex-*` headers on 200 streams (default FAKE_CODEX_QUOTA_HEADERS); false sends none. */
  readonly quotaHeaders?: Readonly<Record<string, string>> | false;
  /** When set, only these bearers are valid; others get the "Could not parse" 401. */
  readonly accessTokens?: readonly string[];
  /** Check that every call has its output and every output its call (default true). */
  readonly validatePairing?: boolean;
  /** The body of `GET {basePath}/models` (default: two models in codex-rs `ModelsResponse` shape). */
  readonly models?: unknown;
}

export interface FakeCodex {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `url` + base path: give it to `CodexProvider` as `baseUrl`. */
  readonly baseUrl: string;
  /** Every request received (any path), in order. */
  readonly requests: RecordedRequest[];
  /** The `POST {basePath}/responses` requests only. */
  responses(): RecordedRequest[];
  /** Replies for the next valid `/responses` requests, in order, before the default reply. */
  enqueue(...replies: FakeCodexReply[]): void;
  /** Raw kit access: a script added here wins over the fake's own routes. */
  script(script: Script): void;
  /** How many answers the client abandoned before they ended (a cancelled upstream call). */
  abandoned(): number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const detail = (status: number, text: string): Reply => ({ status, json: { detail: text } });

function openaiError(status: number, message: string, param: string | null, code: string | null): Reply {
  return { status, json: { error: { message, type: 'invalid_request_error', param, code } } };
}

/**
 * Builds SSE frames the way the backend frames them: `event: <type>` then `data: <json>`.
 *
 * @example
 * fake.enqueue({ sse: codexSseFrames([{ type: 'response.created', response: { id: 'r' } }]) });
 */
export function codexSseFrames(payloads: readonly Json[]): string[] {
  return payloads.map((payload) => `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`);
}

/**
 * An unsigned JWT (`alg: none`) carrying `claims`, like the fake OAuth tokens of the fixtures.
 *
 * @example
 * fakeJwt({ exp: 1 }); // an access token the fake rejects as expired
 */
export function fakeJwt(claims: Json): string {
  const part = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

function jwtExp(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Json;
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

function checkAuth(request: RecordedRequest, options: FakeCodexOptions): Reply | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!bearer) return detail(401, 'Unauthorized');
  const exp = jwtExp(bearer);
  if (exp !== undefined && exp * 1000 < Date.now()) {
    const message = 'Provided authentication token is expired. Please try signing in again.';
    return openaiError(401, message, null, 'token_expired');
  }
  if (options.accessTokens && !options.accessTokens.includes(bearer)) {
    return detail(401, 'Could not parse your authentication token. Please try signing in again.');
  }
  if (!request.headers['chatgpt-account-id']) return detail(400, 'Missing ChatGPT-Account-ID header');
  return undefined;
}

function checkItems(input: readonly unknown[], tools: unknown, pairing: boolean): Reply | undefined {
  const calls = new Map<string, string>();
  const outputs = new Set<string>();
  for (const [index, raw] of input.entries()) {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
    if (item.role === 'system') return detail(400, 'System messages are not allowed');
    if (typeof item.id === 'string' || item.type === 'item_reference') {
      const message = `Item with id '${String(item.id)}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`;
      return openaiError(404, message, 'input', null);
    }
    for (const field of ['call_id', 'name'] as const) {
      const value = item[field];
      if (typeof value === 'string' && value.length > 64) {
        const param = `input[${index}].${field}`;
        const message = `Invalid '${param}': string too long. Expected a string with maximum length 64, but got a string with length ${value.length} instead.`;
        return openaiError(400, message, param, 'string_above_max_length');
      }
    }
    const callId = String(item.call_id);
    if (item.type === 'function_call' || item.type === 'custom_tool_call')
      calls.set(callId, String(item.type));
    if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') {
      if (pairing && !calls.has(callId)) {
        return openaiError(
          400,
          `No tool call found for function call output with call_id ${callId}.`,
          'input',
          null,
        );
      }
      outputs.add(callId);
    }
  }
  for (const [index, tool] of (Array.isArray(tools) ? tools : []).entries()) {
    const name = (tool as Json)?.name;
    if (typeof name === 'string' && name.length > 64) {
      const param = `tools[${index}].name`;
      return openaiError(
        400,
        `Invalid '${param}': string too long. Expected a string with maximum length 64, but got a string with length ${name.length} instead.`,
        param,
        'string_above_max_length',
      );
    }
  }
  if (pairing) {
    for (const callId of calls.keys()) {
      if (!outputs.has(callId))
        return openaiError(400, `No tool output found for function call ${callId}.`, 'input', null);
    }
  }
  return undefined;
}

/**
 * Checks a `/responses` request like the backend (wire.md §2.3, §8); returns the error reply, or
 * undefined when the request is acceptable.
 *
 * @example
 * validateCodexRequest(recorded)?.json; // { detail: 'Store must be set to false' }
 */
export function validateCodexRequest(
  request: RecordedRequest,
  options: FakeCodexOptions = {},
): Reply | undefined {
  const auth = checkAuth(request, options);
  if (auth) return auth;
  if (typeof request.json !== 'object' || request.json === null) return detail(400, 'Invalid JSON body');
  const body = request.json as Json;
  if (body.store !== false) return detail(400, 'Store must be set to false');
  if (body.stream !== true) return detail(400, 'Stream must be set to true');
  if (typeof body.instructions !== 'string') return detail(400, 'Instructions are required');
  if (!Array.isArray(body.input)) return detail(400, 'Input must be a list');
  for (const param of CODEX_UNSUPPORTED_PARAMS) {
    if (param in body) return detail(400, `Unsupported parameter: ${param}`);
  }
  return checkItems(body.input, body.tools, options.validatePairing ?? true);
}

const USAGE_LIMIT = fixtureJson<{ headers: Record<string, string>; body: { error: Json } }>(
  'codex-http-429-usage-limit.json',
);

function overloadFrames(): string[] {
  const response = {
    id: 'resp_fake_overloaded',
    object: 'response',
    created_at: 1767225600,
    status: 'in_progress',
    model: 'gpt-5.5',
    output: [],
  };
  return codexSseFrames([
    { type: 'response.created', sequence_number: 0, response },
    { type: 'response.in_progress', sequence_number: 1, response },
    {
      type: 'error',
      sequence_number: 2,
      error: {
        type: 'service_unavailable_error',
        code: 'server_is_overloaded',
        message: 'Our servers are currently overloaded. Please try again later.',
        param: null,
      },
    },
  ]);
}

function toKitReply(reply: FakeCodexReply, quota: Readonly<Record<string, string>>): Reply {
  if ('mode' in reply) {
    if (reply.mode === 'overloaded-first') return { sse: overloadFrames(), headers: quota };
    const { 'content-type': _type, ...headers } = USAGE_LIMIT.headers;
    const error = {
      ...USAGE_LIMIT.body.error,
      ...(reply.planType === undefined ? {} : { plan_type: reply.planType }),
      ...(reply.resetsAt === undefined ? {} : { resets_at: reply.resetsAt }),
      ...(reply.resetsInSeconds === undefined ? {} : { resets_in_seconds: reply.resetsInSeconds }),
    };
    return { status: 429, headers, json: { error } };
  }
  return reply.sse === undefined ? reply : { ...reply, headers: { ...quota, ...reply.headers } };
}

const DEFAULT_MODELS = {
  models: [
    { slug: 'gpt-5.5', display_name: 'GPT-5.5', visibility: 'list', supported_in_api: true, priority: 1 },
    {
      slug: 'gpt-5.4-mini',
      display_name: 'GPT-5.4 mini',
      visibility: 'list',
      supported_in_api: true,
      priority: 2,
    },
  ],
};

/**
 * Starts the fake Codex backend on 127.0.0.1 (port 0).
 *
 * @example
 * const fake = await startFakeCodex({ accessTokens: ['good'] });
 * fake.enqueue({ status: 500, json: { detail: 'Internal Server Error' } }); // then the default reply
 * const codex = new CodexProvider({ baseUrl: fake.baseUrl, tokenSource });
 * // … fake.responses()[0].json is the body nodex sent …
 * await fake.close();
 */
export async function startFakeCodex(options: FakeCodexOptions = {}): Promise<FakeCodex> {
  const basePath = (options.basePath ?? FAKE_CODEX_BASE_PATH).replace(/\/+$/, '');
  const quota = options.quotaHeaders === false ? {} : (options.quotaHeaders ?? FAKE_CODEX_QUOTA_HEADERS);
  const queue: FakeCodexReply[] = [];
  const fake: FakeUpstream = await startFakeUpstream([
    {
      method: 'POST',
      path: `${basePath}/responses`,
      reply: (request) => {
        const rejected = validateCodexRequest(request, options);
        if (rejected) return rejected;
        const next = queue.shift() ?? options.reply ?? { sse: { fixture: 'codex-text.sse' } };
        return toKitReply(typeof next === 'function' ? next(request) : next, quota);
      },
    },
    {
      method: 'GET',
      path: `${basePath}/models`,
      reply: (request) =>
        checkAuth(request, options) ?? {
          headers: { 'x-models-etag': '"fake-models-1"' },
          json: options.models ?? DEFAULT_MODELS,
        },
    },
  ]);
  return {
    url: fake.url,
    baseUrl: `${fake.url}${basePath}`,
    requests: fake.requests,
    responses: () => fake.requests.filter((r) => r.method === 'POST' && r.path === `${basePath}/responses`),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    script: (script) => fake.script(script),
    abandoned: () => fake.abandoned(),
    close: () => fake.close(),
  };
}

const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
]);

/**
 * A recorded request's headers without the transport ones (host, connection, content-length), so
 * a test can compare the headers a client chose to send with `toEqual`.
 *
 * @example
 * expect(sentHeaders(fake.responses()[0])).toEqual({ authorization: 'Bearer t', … });
 */
export function sentHeaders(request: RecordedRequest | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request?.headers ?? {})) {
    if (!TRANSPORT_HEADERS.has(name)) out[name] = value;
  }
  return out;
}
