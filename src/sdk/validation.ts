import type { ModelCapabilities } from '../core/provider.js';
import type { CanonicalRequest } from '../core/request.js';
import type { Warning } from '../core/warnings.js';
import type { RequestIssue } from '../protocols/openai-responses/request-issues.js';
import { ParameterValidationError } from './errors.js';

/** What a request issue does: report it (`warn`, the default), throw (`error`), or drop silently. */
export type ValidationMode = 'warn' | 'error' | 'ignore';

/** What `store: true` does on backends that keep no state (seeds-spec §B.9). */
export type StoreBehavior = 'auto_disable' | 'error' | 'passthrough';

/**
 * Applies a validation mode to one issue: `error` throws a ParameterValidationError; `warn` adds
 * a warning; `ignore` drops it. Fatal issues throw whatever the mode.
 */
export function applyIssue(issue: RequestIssue, mode: ValidationMode, warnings: Warning[]): void {
  if (issue.fatal || mode === 'error')
    throw new ParameterValidationError(`${issue.code}: ${issue.message}`, issue.code, issue.param);
  if (mode === 'warn') warnings.push({ feature: issue.param, details: `${issue.code}: ${issue.message}` });
}

/**
 * Parameters the chosen model cannot take: in `error` mode these throw before anything is sent; in
 * the other modes the provider drops them and reports its own warning.
 */
export function capabilityIssues(
  request: CanonicalRequest,
  caps: ModelCapabilities,
  model: string,
): RequestIssue[] {
  const issues: RequestIssue[] = [];
  const unsupported = (param: string, what: string) =>
    issues.push({ code: 'unsupported_parameter', param, message: `${model} does not support ${what}` });
  if (request.temperature !== undefined && !caps.temperature) unsupported('temperature', 'temperature');
  if (request.top_p !== undefined && !caps.temperature) unsupported('top_p', 'top_p');
  if (request.max_output_tokens !== undefined && !caps.max_output_tokens)
    unsupported('max_output_tokens', 'max_output_tokens');
  if (request.tools?.length && !caps.tools) unsupported('tools', 'tools');
  if (request.reasoning && !caps.reasoning) unsupported('reasoning', 'reasoning settings');
  if (request.text?.format?.type === 'json_schema' && !caps.json_schema)
    unsupported('text.format', 'json_schema output');
  const hasImage = request.input.some(
    (item) => item.type === 'message' && item.content.some((part) => part.type === 'image'),
  );
  if (hasImage && !caps.images) unsupported('input', 'image input');
  return issues;
}
