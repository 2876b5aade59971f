import { InvalidRequestError } from '../../core/errors.js';
import type { CanonicalRequest } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import type { IssueSink } from '../openai-responses/request-issues.js';
import { decodeAnthropicMessages } from './decode-content.js';
import { bodyObject, decodeSystem } from './decode-request.js';
import { decodeAnthropicTools } from './decode-tools.js';

/** What `POST /v1/messages/count_tokens` counts: the pieces `countInputTokens` reads, and the model. */
export interface CountTokensRequest extends Pick<CanonicalRequest, 'instructions' | 'input' | 'tools'> {
  /** The model named in the body ('' when none): the route may route or check access by it. */
  readonly model: string;
}

export interface CountTokensOptions {
  /** Non-fatal issues (dropped values). Fatal ones throw: this route has no other channel for them. */
  readonly onIssue?: IssueSink;
  readonly onWarning?: WarningSink;
}

/**
 * Decodes a count_tokens body: the Messages fields minus `max_tokens`/`stream` (anthropic-sdk
 * `MessageCountTokensParams`). Only what is counted is read: `system` → instructions, `messages` →
 * input, `tools`; `thinking`, `tool_choice` and the rest do not change the count and are ignored.
 * The route answers `{ input_tokens: await countInputTokens(decoded) }`.
 *
 * @example
 * const counted = decodeCountTokensRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
 * await countInputTokens(counted);
 */
export function decodeCountTokensRequest(
  body: unknown,
  options: CountTokensOptions = {},
): CountTokensRequest {
  const fields = bodyObject(body);
  if (fields.model !== undefined && fields.model !== null && typeof fields.model !== 'string')
    throw new InvalidRequestError('model: expected a string', { param: 'model' });
  const warn = options.onWarning ?? (() => {});
  const tools = decodeAnthropicTools(fields.tools, (issue) => {
    if (issue.fatal) throw new InvalidRequestError(issue.message, { param: issue.param });
    options.onIssue?.(issue);
  });
  const instructions = decodeSystem(fields.system);
  return {
    model: typeof fields.model === 'string' ? fields.model : '',
    ...(instructions === undefined ? {} : { instructions }),
    input: decodeAnthropicMessages(fields.messages, warn),
    ...(tools?.length ? { tools } : {}),
  };
}
