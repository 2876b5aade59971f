import { z } from 'zod';
import type { CanonicalRequest, ReasoningConfig, ReasoningEffort, TextFormat } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import { JsonSchemaSpec, jsonSchemaTextFormat, numberParam } from './decode-fields.js';
import { decodeResponsesInput } from './decode-input.js';
import { decodeToolChoice, decodeTools } from './decode-tools.js';
import type { IssueSink, RequestIssue } from './request-issues.js';

/** Parameters read from a Responses `create` body; the rest are reported as unsupported. */
const KNOWN = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning',
  'text',
  'max_output_tokens',
  'temperature',
  'top_p',
  'metadata',
  'user',
  'store',
  'previous_response_id',
  'include',
  'service_tier',
  'truncation',
  'max_tool_calls',
  'prompt_cache_key',
  'stream',
  'stream_options',
  'background',
  'safety_identifier',
  'prompt_cache_retention',
  'top_logprobs',
  'client_metadata',
]);

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];
const SUMMARIES = ['auto', 'concise', 'detailed'] as const;

const JsonSchemaFormat = JsonSchemaSpec.extend({ type: z.literal('json_schema') });

/** What a Responses body decodes to, besides the canonical request. */
export interface DecodedResponsesRequest {
  readonly request: CanonicalRequest;
  readonly stream: boolean;
  /** Set when the caller asked for `store: true` (the SDK applies its store behaviour). */
  readonly store: boolean;
  readonly previousResponseId?: string;
  readonly include?: readonly string[];
}

function decodeReasoning(raw: unknown, onIssue: IssueSink): ReasoningConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    onIssue({
      code: 'invalid_reasoning',
      param: 'reasoning',
      message: 'reasoning must be an object',
      fatal: true,
    });
    return undefined;
  }
  const { effort, summary } = raw as { effort?: unknown; summary?: unknown };
  const out: { effort?: ReasoningEffort; summary?: (typeof SUMMARIES)[number] } = {};
  if (effort !== undefined && effort !== null) {
    if (typeof effort === 'string' && (EFFORTS as readonly string[]).includes(effort))
      out.effort = effort as ReasoningEffort;
    else
      onIssue({
        code: 'invalid_reasoning_effort',
        param: 'reasoning.effort',
        message: `reasoning.effort must be one of ${EFFORTS.join(', ')}; removed`,
      });
  }
  if (summary !== undefined && summary !== null) {
    if (summary === true) out.summary = 'auto';
    else if (typeof summary === 'string' && (SUMMARIES as readonly string[]).includes(summary))
      out.summary = summary as (typeof SUMMARIES)[number];
    else if (summary !== false)
      onIssue({
        code: 'invalid_reasoning_summary',
        param: 'reasoning.summary',
        message: 'reasoning.summary must be auto, concise or detailed; removed',
      });
  }
  return out.effort || out.summary ? out : undefined;
}

function decodeTextFormat(raw: unknown, onIssue: IssueSink): TextFormat | undefined {
  const format = typeof raw === 'object' && raw !== null ? (raw as { format?: unknown }).format : undefined;
  if (format === undefined || format === null) return undefined;
  const type = typeof format === 'object' ? (format as { type?: unknown }).type : undefined;
  if (type === 'text' || type === 'json_object') return { type };
  if (type === 'json_schema') {
    const parsed = JsonSchemaFormat.safeParse(format);
    if (parsed.success) return jsonSchemaTextFormat(parsed.data);
  }
  onIssue({
    code: 'invalid_text_format',
    param: 'text.format',
    message: 'text.format must be text, json_object or json_schema with a schema object',
    fatal: true,
  });
  return undefined;
}

function stringMap(value: unknown, onIssue: IssueSink): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  ) {
    return value as Record<string, string>;
  }
  onIssue({
    code: 'invalid_metadata',
    param: 'metadata',
    message: 'metadata must be an object of string values; dropped',
  });
  return undefined;
}

/**
 * Decodes an OpenAI Responses `create` body into the canonical request, dropping (and reporting)
 * every invalid or unsupported value. Invalid input items throw (they cannot be dropped safely).
 *
 * @example
 * const { request, stream } = decodeResponsesRequest(body, { onIssue: (i) => warnings.push(i) });
 */
export function decodeResponsesRequest(
  body: Readonly<Record<string, unknown>>,
  options: { readonly onIssue: IssueSink; readonly onWarning?: WarningSink; readonly defaultModel?: string },
): DecodedResponsesRequest {
  const { onIssue } = options;
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key))
      onIssue({ code: 'unsupported_parameter', param: key, message: `unsupported parameter: ${key}` });
  }
  const model = typeof body.model === 'string' && body.model !== '' ? body.model : options.defaultModel;
  // A model of the wrong type is a mistake, not a request for the default model.
  if (body.model !== undefined && body.model !== null && typeof body.model !== 'string')
    onIssue({ code: 'invalid_model', param: 'model', message: 'model must be a string', fatal: true });
  else if (!model)
    onIssue({
      code: 'invalid_model',
      param: 'model',
      message: 'model must be a non-empty string',
      fatal: true,
    });
  const input = decodeResponsesInput(
    body.input ?? [],
    options.onWarning ? { onWarning: options.onWarning } : {},
  );
  const instructions = typeof body.instructions === 'string' ? body.instructions : undefined;
  const tools = decodeTools(body.tools, onIssue);
  const toolChoice = decodeToolChoice(body.tool_choice, onIssue);
  const reasoning = decodeReasoning(body.reasoning, onIssue);
  const format = decodeTextFormat(body.text, onIssue);
  const maxOutput = numberParam(
    body,
    'max_output_tokens',
    (n) => Number.isInteger(n) && n > 0,
    'an integer > 0',
    onIssue,
  );
  const temperature = numberParam(body, 'temperature', (n) => n >= 0 && n <= 2, 'between 0 and 2', onIssue);
  const topP = numberParam(body, 'top_p', (n) => n > 0 && n <= 1, 'in (0, 1]', onIssue);
  const metadata = stringMap(body.metadata, onIssue);
  let parallel: boolean | undefined;
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) {
    if (typeof body.parallel_tool_calls === 'boolean') parallel = body.parallel_tool_calls;
    else
      onIssue({
        code: 'invalid_parallel_tool_calls',
        param: 'parallel_tool_calls',
        message: 'parallel_tool_calls must be a boolean; dropped',
      });
  }
  let include: string[] | undefined;
  if (body.include !== undefined && body.include !== null) {
    if (Array.isArray(body.include) && body.include.every((v) => typeof v === 'string'))
      include = body.include as string[];
    else
      onIssue({
        code: 'invalid_include',
        param: 'include',
        message: 'include must be an array of strings; dropped',
      });
  }
  if (body.service_tier !== undefined && body.service_tier !== null) {
    onIssue({
      code: 'service_tier_ignored',
      param: 'service_tier',
      message: 'service_tier is not supported by subscription backends; ignored',
    });
  }
  if (
    body.truncation !== undefined &&
    body.truncation !== null &&
    body.truncation !== 'auto' &&
    body.truncation !== 'disabled'
  ) {
    onIssue({
      code: 'invalid_truncation',
      param: 'truncation',
      message: 'truncation must be auto or disabled; dropped',
    });
  }
  const request: CanonicalRequest = {
    model: model ?? '',
    input,
    ...(instructions === undefined ? {} : { instructions }),
    ...(tools && tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(parallel === undefined ? {} : { parallel_tool_calls: parallel }),
    ...(reasoning ? { reasoning } : {}),
    ...(format ? { text: { format } } : {}),
    ...(maxOutput === undefined ? {} : { max_output_tokens: maxOutput }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(metadata ? { metadata } : {}),
    ...(typeof body.user === 'string' ? { user: body.user } : {}),
    ...(typeof body.prompt_cache_key === 'string' ? { prompt_cache_key: body.prompt_cache_key } : {}),
  };
  const previous =
    typeof body.previous_response_id === 'string' && body.previous_response_id
      ? body.previous_response_id
      : undefined;
  return {
    request,
    stream: body.stream === true,
    // OpenAI's default: responses are stored unless the caller says `store: false`.
    store: body.store !== false,
    ...(previous ? { previousResponseId: previous } : {}),
    ...(include ? { include } : {}),
  };
}

export type { RequestIssue };
