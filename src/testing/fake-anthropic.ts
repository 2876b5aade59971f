/**
 * A faithful fake of the Anthropic Messages API (research/wire.md §8 "Anthropic fake"), built on the
 * fake upstream kit: `POST /v1/messages` (with or without `?beta=true`) and `GET /v1/models` on
 * 127.0.0.1. It authenticates like the real API (x-api-key, or a Bearer `sk-ant-oat…` token that
 * needs the `oauth-2025-04-20` beta and, for non-Haiku models, Claude Code's identity as the first
 * system block), checks the request shape with the real error envelopes (tool_result placement,
 * empty text, tool id charset, temperature with top_p, thinking rules), streams scripted replies with
 * the subscription rate-limit headers, and records every request.
 */
import { randomBytes } from 'node:crypto';
import { CLAUDE_CODE_IDENTITY } from '../providers/anthropic/convert-to-anthropic-request.js';
import {
  type FakeUpstream,
  type RecordedRequest,
  type Reply,
  type Script,
  startFakeUpstream,
} from './fake-upstream.js';
import { fixtureJson } from './fixtures.js';

type Json = Record<string, unknown>;

/** Unified subscription headers sent on OAuth streams (shape of wire.md §4.4, values made up). */
export const FAKE_ANTHROPIC_QUOTA_HEADERS: Readonly<Record<string, string>> = {
  'anthropic-ratelimit-unified-status': 'allowed',
  'anthropic-ratelimit-unified-5h-status': 'allowed',
  'anthropic-ratelimit-unified-5h-reset': '1767240000',
  'anthropic-ratelimit-unified-7d-status': 'allowed',
  'anthropic-ratelimit-unified-7d-reset': '1767657600',
};

export type FakeAnthropicReply =
  /** Any kit reply: `{ sse: anthropicSseFrames([...]) }`, `{ status, json }`, faults, pacing. */
  | Reply
  /** HTTP 529 `overloaded_error` (fixtures/anthropic-http-errors.json). */
  | { readonly mode: 'overloaded' }
  /** HTTP 500 `api_error`. */
  | { readonly mode: 'server-error' }
  /** HTTP 429 `rate_limit_error` with `retry-after`; `subscription` also marks the unified window rejected. */
  | { readonly mode: 'rate-limited'; readonly retryAfterSeconds?: number; readonly subscription?: boolean }
  /** A 200 stream whose first event after `message_start` is an `overloaded_error` (wire.md §5.1). */
  | { readonly mode: 'overloaded-first' };

export interface FakeAnthropicOptions {
  /** The reply when nothing is queued (default: the anthropic-text.sse fixture). */
  readonly reply?: FakeAnthropicReply | ((request: RecordedRequest) => FakeAnthropicReply);
  /** When set, only these API keys are valid. */
  readonly apiKeys?: readonly string[];
  /** When set, decides which OAuth bearers are current (e.g. `auth.isValidAccessToken`). */
  readonly isValidOAuthToken?: (token: string) => boolean;
  /** The identity text OAuth requests must start with (default Claude Code's). */
  readonly identity?: string;
  /** `GET /v1/models` entries (default: fixtures/anthropic-models-list.json's). */
  readonly models?: readonly Json[];
}

export interface FakeAnthropic {
  /** `http://127.0.0.1:PORT`: the provider's `baseUrl`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The `POST /v1/messages` requests only. */
  messages(): RecordedRequest[];
  /** Replies for the next valid `/v1/messages` requests, in order, before the default reply. */
  enqueue(...replies: FakeAnthropicReply[]): void;
  /** Raw kit access: a script added here wins over the fake's own routes. */
  script(script: Script): void;
  close(): Promise<void>;
}

const requestId = () => `req_fake_${randomBytes(9).toString('hex')}`;

/**
 * The Anthropic error envelope (wire.md §5.2) as a kit reply.
 *
 * @example
 * anthropicErrorReply(400, 'invalid_request_error', 'messages: text content blocks must be non-empty');
 */
export function anthropicErrorReply(
  status: number,
  type: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): Reply {
  const id = requestId();
  return {
    status,
    headers: { 'request-id': id, ...headers },
    json: { type: 'error', error: { type, message }, request_id: id },
  };
}

/**
 * SSE frames as the API sends them: `event: <type>` then `data: <json>`.
 *
 * @example
 * fake.enqueue({ sse: anthropicSseFrames([anthropicFrames.start(), ...anthropicFrames.text(0, ['Hi']), ...anthropicFrames.end('end_turn', 2)]) });
 */
export function anthropicSseFrames(payloads: readonly Json[]): string[] {
  return payloads.map((payload) => `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`);
}

/** Builders for Messages stream payloads (wire.md §5.1). */
export const anthropicFrames = {
  start(options: { id?: string; model?: string; inputTokens?: number } = {}): Json {
    return {
      type: 'message_start',
      message: {
        id: options.id ?? 'msg_fake_0001',
        type: 'message',
        role: 'assistant',
        model: options.model ?? 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: options.inputTokens ?? 10,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    };
  },
  text(index: number, deltas: readonly string[]): Json[] {
    return [
      { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      ...deltas.map((text) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })),
      { type: 'content_block_stop', index },
    ];
  },
  thinking(index: number, text: string, signature: string): Json[] {
    return [
      {
        type: 'content_block_start',
        index,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: text } },
      { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } },
      { type: 'content_block_stop', index },
    ];
  },
  toolUse(index: number, id: string, name: string, args: Json): Json[] {
    const json = JSON.stringify(args);
    const cut = Math.ceil(json.length / 2);
    return [
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } },
      ...['', json.slice(0, cut), json.slice(cut)].map((partial_json) => ({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json },
      })),
      { type: 'content_block_stop', index },
    ];
  },
  end(stopReason: string, outputTokens: number): Json[] {
    return [
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: outputTokens },
      },
      { type: 'message_stop' },
    ];
  },
  error(type: string, message: string): Json {
    return { type: 'error', error: { type, message } };
  },
};

const TOOL_ID = /^[a-zA-Z0-9_-]+$/;

function betas(request: RecordedRequest): string[] {
  return (request.headers['anthropic-beta'] ?? '').split(',').map((beta) => beta.trim());
}

/**
 * Authenticates like the API (wire.md §4.4); returns the mode, or the error reply. An API key may
 * come as `x-api-key` or, as the 2026 SDKs send it, as a Bearer; only `sk-ant-oat…` bearers are
 * subscription tokens.
 */
function authenticate(request: RecordedRequest, options: FakeAnthropicOptions): 'oauth' | 'api_key' | Reply {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const key = request.headers['x-api-key'] ?? (bearer?.startsWith('sk-ant-oat') ? undefined : bearer);
  const denied = (message: string) => anthropicErrorReply(401, 'authentication_error', message);
  if (key) return options.apiKeys && !options.apiKeys.includes(key) ? denied('invalid x-api-key') : 'api_key';
  if (!bearer) return denied('x-api-key header is required');
  if (!betas(request).includes('oauth-2025-04-20'))
    return denied('OAuth authentication is currently not supported.');
  if (options.isValidOAuthToken && !options.isValidOAuthToken(bearer))
    return denied('OAuth token has expired. Please obtain a new token or refresh your existing token.');
  return 'oauth';
}

const bad = (message: string) => anthropicErrorReply(400, 'invalid_request_error', message);

function blocksOf(message: Json | undefined): Json[] {
  const content = message?.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content as Json[]) : [];
}

function checkText(blocks: readonly Json[]): Reply | undefined {
  for (const block of blocks) {
    if (block.type !== 'text') continue;
    const text = String(block.text ?? '');
    if (text === '') return bad('messages: text content blocks must be non-empty');
    if (text.trim() === '') return bad('messages: text content blocks must contain non-whitespace text');
  }
  return undefined;
}

/** The message-level rules of wire.md §7.2, §7.3, §7.6 and the thinking replay rule (§5.1). */
function checkMessages(messages: readonly Json[], thinking: boolean): Reply | undefined {
  const idsOf = (m: Json | undefined, type: string, key: string) =>
    blocksOf(m)
      .filter((b) => b.type === type)
      .map((b) => String(b[key]));
  const useIds = messages.map((m) => idsOf(m, 'tool_use', 'id'));
  for (const [i, message] of messages.entries()) {
    const blocks = blocksOf(message);
    const text = checkText(blocks);
    if (text) return text;
    for (const [j, block] of blocks.entries()) {
      if (block.type === 'tool_use' && !TOOL_ID.test(String(block.id)))
        return bad(`messages.${i}.content.${j}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
      if (block.type === 'thinking' && !block.signature)
        return bad(`messages.${i}.content.${j}.thinking.signature: Field required`);
      if (block.type === 'tool_result' && !(useIds[i - 1] ?? []).includes(String(block.tool_use_id)))
        return bad(
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
    }
    const ids = useIds[i] ?? [];
    const next = messages[i + 1];
    const answered = next?.role === 'user' ? idsOf(next, 'tool_result', 'tool_use_id') : [];
    const missing = ids.filter((id) => !answered.includes(id));
    if (message.role === 'assistant' && missing.length && next)
      return bad(
        `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
  }
  const last = [...messages.keys()]
    .reverse()
    .find((i) => messages[i]?.role === 'assistant' && (useIds[i] ?? []).length);
  const first = last === undefined ? undefined : blocksOf(messages[last] as Json)[0];
  if (thinking && first && first.type !== 'thinking' && first.type !== 'redacted_thinking')
    return bad(
      `messages.${last}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`,
    );
  return undefined;
}

function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  const first = Array.isArray(system) ? (system[0] as Json | undefined) : undefined;
  return typeof first?.text === 'string' ? first.text : '';
}

/**
 * Checks a `/v1/messages` request like the API; returns the error reply, or the auth mode of an
 * acceptable request.
 *
 * @example
 * validateAnthropicRequest(recorded); // 'oauth' | 'api_key' | Reply
 */
export function validateAnthropicRequest(
  request: RecordedRequest,
  options: FakeAnthropicOptions = {},
): 'oauth' | 'api_key' | Reply {
  const mode = authenticate(request, options);
  if (typeof mode !== 'string') return mode;
  if (!request.headers['anthropic-version']) return bad('anthropic-version: header is required');
  if (typeof request.json !== 'object' || request.json === null) return bad('Invalid JSON body');
  const body = request.json as Json;
  if (typeof body.model !== 'string') return bad('model: Field required');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)
    return bad('max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) return bad('messages: Field required');
  if (
    mode === 'oauth' &&
    !/haiku/i.test(body.model) &&
    !systemText(body.system).startsWith(options.identity ?? CLAUDE_CODE_IDENTITY)
  )
    return bad(
      'This credential is only authorized for use with Claude Code and cannot be used for other API requests.',
    );
  if (Array.isArray(body.system) && checkText(body.system as Json[]))
    return bad('system: text content blocks must be non-empty');
  if (body.stop_sequences !== undefined && !Array.isArray(body.stop_sequences))
    return bad('stop_sequences: Input should be a valid list');
  if (body.temperature !== undefined && body.top_p !== undefined)
    return bad('`temperature` and `top_p` cannot both be specified for this model. Please use only one.');
  const thinking = (body.thinking as Json | undefined)?.type === 'enabled';
  if (thinking) {
    const budget = Number((body.thinking as Json).budget_tokens);
    if (!(budget < (body.max_tokens as number)))
      return bad('`max_tokens` must be greater than `thinking.budget_tokens`.');
    const choice = (body.tool_choice as Json | undefined)?.type;
    if (choice === 'any' || choice === 'tool')
      return bad('Thinking may not be enabled when tool_choice forces tool use.');
    if (body.temperature !== undefined && body.temperature !== 1)
      return bad('`temperature` may only be set to 1 when thinking is enabled.');
  }
  return checkMessages(body.messages as Json[], thinking) ?? mode;
}

function toKitReply(reply: FakeAnthropicReply, mode: 'oauth' | 'api_key', model: string): Reply {
  const quota = mode === 'oauth' ? FAKE_ANTHROPIC_QUOTA_HEADERS : {};
  if (!('mode' in reply))
    return reply.sse === undefined
      ? reply
      : { ...reply, headers: { ...quota, 'request-id': requestId(), ...reply.headers } };
  switch (reply.mode) {
    case 'overloaded': // fixtures/anthropic-http-errors.json, anthropics/claude-code#35792
      return anthropicErrorReply(529, 'overloaded_error', 'Overloaded');
    case 'server-error':
      return anthropicErrorReply(500, 'api_error', 'Internal server error');
    case 'rate-limited': {
      const seconds = reply.retryAfterSeconds ?? 7;
      const reset = String(Math.floor(Date.now() / 1000) + seconds);
      const rejected = {
        ...quota,
        'anthropic-ratelimit-unified-status': 'rejected',
        'anthropic-ratelimit-unified-5h-status': 'rejected',
        'anthropic-ratelimit-unified-5h-reset': reset,
      };
      const headers = { 'retry-after': String(seconds), ...(reply.subscription ? rejected : {}) };
      const message = "This request would exceed your account's rate limit. Please try again later.";
      return anthropicErrorReply(429, 'rate_limit_error', message, headers);
    }
    case 'overloaded-first':
      return {
        headers: { ...quota, 'request-id': requestId() },
        sse: anthropicSseFrames([
          anthropicFrames.start({ model }),
          { type: 'ping' },
          anthropicFrames.error('overloaded_error', 'Overloaded'),
        ]),
      };
  }
}

function modelsPage(request: RecordedRequest, models: readonly Json[]): Reply {
  const limit = Math.max(1, Math.min(1000, Number(request.query.get('limit') ?? 20) || 20));
  const after = request.query.get('after_id');
  const start = after ? models.findIndex((m) => m.id === after) + 1 : 0;
  const data = models.slice(start, start + limit);
  const page = { data, has_more: start + limit < models.length };
  return { json: { ...page, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null } };
}

/**
 * Starts the fake Anthropic API on 127.0.0.1 (port 0).
 *
 * @example
 * const fake = await startFakeAnthropic({ apiKeys: ['sk-ant-api03-test'] });
 * fake.enqueue({ mode: 'overloaded' }); // then the default reply
 * const claude = new AnthropicProvider({ baseUrl: fake.url, apiKey: 'sk-ant-api03-test' });
 * // … fake.messages()[0].json is the body nodex sent …
 * await fake.close();
 */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue: FakeAnthropicReply[] = [];
  const models = options.models ?? fixtureJson<{ data: Json[] }>('anthropic-models-list.json').data;
  const fake: FakeUpstream = await startFakeUpstream([
    {
      method: 'POST',
      path: '/v1/messages',
      reply: (request) => {
        const mode = validateAnthropicRequest(request, options);
        if (typeof mode !== 'string') return mode;
        const next = queue.shift() ?? options.reply ?? { sse: { fixture: 'anthropic-text.sse' } };
        const model = String((request.json as Json).model);
        return toKitReply(typeof next === 'function' ? next(request) : next, mode, model);
      },
    },
    {
      method: 'GET',
      path: '/v1/models',
      reply: (request) => {
        const mode = authenticate(request, options);
        return typeof mode === 'string' ? modelsPage(request, models) : mode;
      },
    },
  ]);
  return {
    url: fake.url,
    requests: fake.requests,
    messages: () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages'),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    script: (script) => fake.script(script),
    close: () => fake.close(),
  };
}
