import { InvalidRequestError } from '../../core/errors.js';
import type { CanonicalRequest } from '../../core/request.js';
import type { DecodedClientRequest, DecodeOptions } from '../client-protocol.js';
import type { IssueSink } from '../openai-responses/request-issues.js';
import { decodeAnthropicMessages } from './decode-content.js';
import { decodeOutputFormat, decodeThinking } from './decode-options.js';
import { decodeAnthropicToolChoice, decodeAnthropicTools } from './decode-tools.js';
import { parseAt, TextBlockSchema } from './request-schemas.js';

/** Parameters nodex reads from a Messages body. */
const READ = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'temperature',
  'top_p',
  'stop_sequences',
  'metadata',
  'stream',
  'output_config',
  'output_format',
]);

/** Parameters known to be sent (Claude Code sends several on every request) and ignored, with why. */
const IGNORED: Readonly<Record<string, string>> = {
  top_k: 'top_k has no canonical equivalent; dropped',
  context_management: 'server-side context management (context editing) is not supported; ignored',
  service_tier: 'service_tier is not supported by nodex upstreams; ignored',
  container: 'containers (code execution) are not supported; ignored',
  mcp_servers: 'remote MCP servers are not supported; ignored',
  speed: 'speed (fast mode) is not supported; ignored',
  inference_geo: 'inference_geo is not supported; ignored',
};

/** The request body as an object, or a 400. */
export function bodyObject(body: unknown): Readonly<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequestError('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * `system`: a string, or text blocks (Claude Code sends several, with `cache_control`) joined with a
 * blank line ("\n\n") in order; empty blocks are skipped.
 */
export function decodeSystem(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw === '' ? undefined : raw;
  if (!Array.isArray(raw))
    throw new InvalidRequestError('system: expected a string or an array of text blocks', {
      param: 'system',
    });
  const texts = raw.map((block, index) => parseAt(TextBlockSchema, block, `system[${index}]`).text);
  const joined = texts.filter((text) => text !== '').join('\n\n');
  return joined === '' ? undefined : joined;
}

function number(
  body: Readonly<Record<string, unknown>>,
  key: string,
  ok: (n: number) => boolean,
  range: string,
  onIssue: IssueSink,
  fatal = false,
): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && ok(value)) return value;
  onIssue({
    code: `invalid_${key}`,
    param: key,
    message: `${key} must be ${range}${fatal ? '' : '; dropped'}`,
    ...(fatal ? { fatal } : {}),
  });
  return undefined;
}

function stopSequences(raw: unknown, onIssue: IssueSink): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.length ? raw : undefined;
  onIssue({
    code: 'invalid_stop_sequences',
    param: 'stop_sequences',
    message: 'stop_sequences must be an array of strings; dropped',
  });
  return undefined;
}

/** `metadata.user_id` → `user`; Anthropic metadata has no other field. */
function metadataUser(raw: unknown, onIssue: IssueSink): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    onIssue({ code: 'invalid_metadata', param: 'metadata', message: 'metadata must be an object; dropped' });
    return undefined;
  }
  const { user_id, ...rest } = raw as Record<string, unknown>;
  for (const key of Object.keys(rest))
    onIssue({
      code: 'unsupported_parameter',
      param: `metadata.${key}`,
      message: `metadata.${key} is not supported; ignored`,
    });
  if (user_id === undefined || user_id === null || typeof user_id === 'string') return user_id ?? undefined;
  onIssue({
    code: 'invalid_metadata',
    param: 'metadata.user_id',
    message: 'metadata.user_id must be a string; dropped',
  });
  return undefined;
}

function reportUnread(body: Readonly<Record<string, unknown>>, onIssue: IssueSink): void {
  for (const key of Object.keys(body)) {
    if (READ.has(key) || body[key] === undefined) continue;
    onIssue({
      code: 'unsupported_parameter',
      param: key,
      message: IGNORED[key] ?? `unsupported parameter: ${key}; ignored`,
    });
  }
}

/**
 * Decodes a Messages `create` body (`POST /v1/messages`) into the canonical request (wire.md §4.4,
 * real-clients.md): `max_tokens` → `max_output_tokens`, `system` → `instructions`, `messages` →
 * input items (decode-content.ts), tools and tool_choice, `thinking` → reasoning effort,
 * `stop_sequences` → `stop`, `metadata.user_id` → `user`. Invalid or unsupported parameters are
 * dropped and reported through `onIssue` (a missing `model` or `max_tokens` is fatal, as in the
 * real API); invalid messages throw an InvalidRequestError naming the path.
 *
 * @example
 * const { request, stream } = decodeAnthropicRequest(body, { onIssue: (issue) => issues.push(issue) });
 */
export function decodeAnthropicRequest(body: unknown, options: DecodeOptions): DecodedClientRequest {
  const { onIssue } = options;
  const warn = options.onWarning ?? (() => {});
  const fields = bodyObject(body);
  reportUnread(fields, onIssue);
  const model = typeof fields.model === 'string' && fields.model !== '' ? fields.model : options.defaultModel;
  // A model of the wrong type is a mistake, not a request for the default model.
  if (fields.model !== undefined && fields.model !== null && typeof fields.model !== 'string')
    onIssue({ code: 'invalid_model', param: 'model', message: 'model: expected a string', fatal: true });
  else if (!model)
    onIssue({
      code: 'invalid_model',
      param: 'model',
      message: 'model: is required (a non-empty string)',
      fatal: true,
    });
  const maxTokens = number(
    fields,
    'max_tokens',
    (n) => Number.isInteger(n) && n >= 1,
    'an integer ≥ 1',
    onIssue,
    true,
  );
  if (fields.max_tokens === undefined || fields.max_tokens === null)
    onIssue({
      code: 'invalid_max_tokens',
      param: 'max_tokens',
      message: 'max_tokens: is required',
      fatal: true,
    });
  const instructions = decodeSystem(fields.system);
  const input = decodeAnthropicMessages(fields.messages, warn);
  const tools = decodeAnthropicTools(fields.tools, onIssue);
  const { toolChoice, parallelToolCalls } = decodeAnthropicToolChoice(fields.tool_choice, onIssue);
  const reasoning = decodeThinking(fields.thinking, fields.output_config, onIssue);
  const format = decodeOutputFormat(fields.output_config, fields.output_format, onIssue);
  const temperature = number(fields, 'temperature', (n) => n >= 0 && n <= 1, 'between 0 and 1', onIssue);
  const topP = number(fields, 'top_p', (n) => n > 0 && n <= 1, 'in (0, 1]', onIssue);
  const stop = stopSequences(fields.stop_sequences, onIssue);
  const user = metadataUser(fields.metadata, onIssue);
  const request: CanonicalRequest = {
    model: model ?? '',
    ...(instructions === undefined ? {} : { instructions }),
    input,
    ...(tools?.length ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(parallelToolCalls === undefined ? {} : { parallel_tool_calls: parallelToolCalls }),
    ...(reasoning ? { reasoning } : {}),
    ...(format ? { text: { format } } : {}),
    ...(maxTokens === undefined ? {} : { max_output_tokens: maxTokens }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(stop ? { stop } : {}),
    ...(user ? { user } : {}),
  };
  return { request, stream: fields.stream === true };
}
