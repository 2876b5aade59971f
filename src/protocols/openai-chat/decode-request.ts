import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors.js';
import type {
  CanonicalRequest,
  ReasoningEffort,
  TextFormat,
  ToolChoice,
  ToolDefinition,
} from '../../core/request.js';
import type { DecodedClientRequest, DecodeOptions } from '../client-protocol.js';
import { JsonSchemaSpec, jsonSchemaTextFormat, numberParam } from '../openai-responses/decode-fields.js';
import { decodeToolChoice, decodeTools } from '../openai-responses/decode-tools.js';
import type { IssueSink } from '../openai-responses/request-issues.js';
import { decodeChatMessages } from './decode-messages.js';

type Body = Readonly<Record<string, unknown>>;

/**
 * Parameters nodex cannot honour, with their default value: clients send defaults routinely
 * (LangChain: `n: 1`, penalties 0), so only other values are reported (and dropped).
 */
const UNSUPPORTED: Readonly<Record<string, (value: unknown) => boolean>> = {
  n: (v) => v === 1,
  logprobs: (v) => v === false,
  top_logprobs: (v) => v === 0,
  logit_bias: (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0,
  presence_penalty: (v) => v === 0,
  frequency_penalty: (v) => v === 0,
  seed: () => false,
  modalities: (v) => Array.isArray(v) && v.every((m) => m === 'text'),
  audio: () => false,
  prediction: () => false,
  web_search_options: () => false,
  verbosity: () => false,
  service_tier: (v) => v === 'auto' || v === 'default',
  store: (v) => v === false,
  prompt_cache_retention: () => false,
};

/** Parameters read from a Chat Completions body; the rest are reported as unsupported. */
const KNOWN = new Set([
  ...Object.keys(UNSUPPORTED),
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'functions',
  'function_call',
  'response_format',
  'max_completion_tokens',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'reasoning_effort',
  'user',
  'safety_identifier',
  'metadata',
  'prompt_cache_key',
  'stream',
  'stream_options',
]);

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

const JsonSchemaFormat = z.looseObject({ type: z.literal('json_schema'), json_schema: JsonSchemaSpec });

const present = (value: unknown): boolean => value !== undefined && value !== null;

function decodeResponseFormat(raw: unknown, onIssue: IssueSink): TextFormat | undefined {
  if (!present(raw)) return undefined;
  const type = typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  if (type === 'text' || type === 'json_object') return { type };
  const parsed = JsonSchemaFormat.safeParse(raw);
  if (parsed.success) return jsonSchemaTextFormat(parsed.data.json_schema);
  onIssue({
    code: 'invalid_response_format',
    param: 'response_format',
    message: 'response_format must be text, json_object or json_schema with json_schema.schema an object',
    fatal: true,
  });
  return undefined;
}

function maxOutputTokens(body: Body, onIssue: IssueSink): number | undefined {
  const positive = (n: number) => Number.isInteger(n) && n > 0;
  const completion = numberParam(body, 'max_completion_tokens', positive, 'an integer > 0', onIssue);
  const legacy = numberParam(body, 'max_tokens', positive, 'an integer > 0', onIssue);
  if (completion !== undefined && legacy !== undefined) {
    onIssue({
      code: 'unsupported_parameter',
      param: 'max_tokens',
      message: 'max_tokens is ignored when max_completion_tokens is set',
    });
  }
  return completion ?? legacy;
}

function decodeStop(raw: unknown, onIssue: IssueSink): string[] | undefined {
  if (!present(raw)) return undefined;
  if (typeof raw === 'string') return raw === '' ? undefined : [raw];
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw.length > 0 ? raw : undefined;
  onIssue({
    code: 'invalid_stop',
    param: 'stop',
    message: 'stop must be a string or an array of strings; dropped',
  });
  return undefined;
}

function decodeEffort(raw: unknown, onIssue: IssueSink): ReasoningEffort | undefined {
  if (!present(raw)) return undefined;
  if (typeof raw === 'string' && (EFFORTS as readonly string[]).includes(raw)) return raw as ReasoningEffort;
  onIssue({
    code: 'invalid_reasoning_effort',
    param: 'reasoning_effort',
    message: `reasoning_effort must be one of ${EFFORTS.join(', ')}; dropped`,
  });
  return undefined;
}

function decodeMetadata(raw: unknown, onIssue: IssueSink): Record<string, string> | undefined {
  if (!present(raw)) return undefined;
  if (
    typeof raw === 'object' &&
    !Array.isArray(raw) &&
    Object.values(raw as object).every((v) => typeof v === 'string')
  )
    return raw as Record<string, string>;
  onIssue({
    code: 'invalid_metadata',
    param: 'metadata',
    message: 'metadata must be an object of string values; dropped',
  });
  return undefined;
}

/** `tools`, or the deprecated `functions` (as function tools) when `tools` is absent. */
function decodeChatTools(body: Body, onIssue: IssueSink): ToolDefinition[] | undefined {
  if (!present(body.functions)) return decodeTools(body.tools, onIssue);
  if (present(body.tools)) {
    onIssue({
      code: 'unsupported_parameter',
      param: 'functions',
      message: 'functions is ignored when tools is set',
    });
    return decodeTools(body.tools, onIssue);
  }
  const functions = Array.isArray(body.functions)
    ? body.functions.map((f: unknown) => ({ type: 'function', function: f }))
    : body.functions;
  const rename = (text: string) => text.replace(/^tools/, 'functions');
  return decodeTools(functions, (issue) =>
    onIssue({ ...issue, param: rename(issue.param), message: rename(issue.message) }),
  );
}

/** `tool_choice`, or the deprecated `function_call` (`none`, `auto`, `{name}`) when it is absent. */
function decodeChatToolChoice(body: Body, onIssue: IssueSink): ToolChoice | undefined {
  const legacy = body.function_call;
  if (!present(legacy) || present(body.tool_choice)) {
    if (present(legacy))
      onIssue({
        code: 'unsupported_parameter',
        param: 'function_call',
        message: 'function_call is ignored when tool_choice is set',
      });
    return decodeToolChoice(body.tool_choice, onIssue);
  }
  const choice = typeof legacy === 'object' ? { type: 'function', function: legacy } : legacy;
  return decodeToolChoice(choice, (issue) => onIssue({ ...issue, param: 'function_call' }));
}

function reportUnsupported(body: Body, onIssue: IssueSink): void {
  for (const [key, value] of Object.entries(body)) {
    if (!KNOWN.has(key)) {
      onIssue({ code: 'unsupported_parameter', param: key, message: `unsupported parameter: ${key}` });
      continue;
    }
    const isDefault = UNSUPPORTED[key];
    if (isDefault && present(value) && !isDefault(value)) {
      const message =
        key === 'n' ? 'n > 1 is not supported: one choice is returned' : `${key} is not supported; dropped`;
      onIssue({ code: 'unsupported_parameter', param: key, message });
    }
  }
}

/**
 * Decodes an OpenAI Chat Completions body into the canonical request. Invalid or unsupported
 * parameters are dropped and reported through `onIssue` (the gateway answers 400 for `fatal`
 * ones); invalid messages throw an InvalidRequestError naming the path. `stream_options.
 * include_usage` comes back as `extras.includeUsage`, for the stream encoder.
 *
 * @example
 * const { request, stream, extras } = decodeChatRequest(body, { onIssue: (i) => issues.push(i) });
 */
export function decodeChatRequest(body: unknown, options: DecodeOptions): DecodedClientRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('request body: expected a JSON object');
  }
  const b = body as Body;
  const { onIssue } = options;
  reportUnsupported(b, onIssue);
  const model = typeof b.model === 'string' && b.model !== '' ? b.model : options.defaultModel;
  // A model of the wrong type is a mistake, not a request for the default model.
  if (present(b.model) && typeof b.model !== 'string')
    onIssue({ code: 'invalid_model', param: 'model', message: 'model must be a string', fatal: true });
  else if (!model)
    onIssue({
      code: 'invalid_model',
      param: 'model',
      message: 'model must be a non-empty string',
      fatal: true,
    });
  const input = decodeChatMessages(b.messages, options.onWarning);
  const tools = decodeChatTools(b, onIssue);
  const toolChoice = decodeChatToolChoice(b, onIssue);
  const format = decodeResponseFormat(b.response_format, onIssue);
  const effort = decodeEffort(b.reasoning_effort, onIssue);
  const maxOutput = maxOutputTokens(b, onIssue);
  const temperature = numberParam(b, 'temperature', (n) => n >= 0 && n <= 2, 'between 0 and 2', onIssue);
  const topP = numberParam(b, 'top_p', (n) => n > 0 && n <= 1, 'in (0, 1]', onIssue);
  const stop = decodeStop(b.stop, onIssue);
  const metadata = decodeMetadata(b.metadata, onIssue);
  let parallel: boolean | undefined;
  if (typeof b.parallel_tool_calls === 'boolean') parallel = b.parallel_tool_calls;
  else if (present(b.parallel_tool_calls))
    onIssue({
      code: 'invalid_parallel_tool_calls',
      param: 'parallel_tool_calls',
      message: 'parallel_tool_calls must be a boolean; dropped',
    });
  // safety_identifier is the newer name of `user` (a stable end-user id).
  const user =
    typeof b.user === 'string'
      ? b.user
      : typeof b.safety_identifier === 'string'
        ? b.safety_identifier
        : undefined;
  const stream = b.stream === true;
  const streamOptions = b.stream_options;
  if (present(streamOptions) && (typeof streamOptions !== 'object' || Array.isArray(streamOptions)))
    onIssue({
      code: 'invalid_stream_options',
      param: 'stream_options',
      message: 'stream_options must be an object; dropped',
    });
  const includeUsage =
    stream && (streamOptions as { include_usage?: unknown } | undefined)?.include_usage === true;
  const request: CanonicalRequest = {
    model: model ?? '',
    input,
    ...(tools && tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(parallel === undefined ? {} : { parallel_tool_calls: parallel }),
    ...(effort ? { reasoning: { effort } } : {}),
    ...(format ? { text: { format } } : {}),
    ...(maxOutput === undefined ? {} : { max_output_tokens: maxOutput }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(stop ? { stop } : {}),
    ...(metadata ? { metadata } : {}),
    ...(user === undefined ? {} : { user }),
    ...(typeof b.prompt_cache_key === 'string' ? { prompt_cache_key: b.prompt_cache_key } : {}),
  };
  return { request, stream, extras: { includeUsage } };
}
