import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors.js';

/**
 * Wire schemas for Messages request bodies (anthropic-sdk-typescript `MessageCreateParams`): loose on
 * unknown fields (`cache_control`, `citations`…), strict on what nodex reads.
 */

export const TextBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

/**
 * `system` is a mid-conversation system message (Claude Code ≥ 2.1 sends one after the first user
 * turn under the `mid-conversation-system-2026-04-07` beta); its content is text only.
 */
export const MessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});

export const SourceHeadSchema = z.looseObject({ type: z.string() });
export const Base64SourceSchema = z.looseObject({
  type: z.literal('base64'),
  media_type: z.string().min(1),
  data: z.string().min(1),
});
export const UrlSourceSchema = z.looseObject({ type: z.literal('url'), url: z.string().min(1) });
export const BlockWithSourceSchema = z.looseObject({ type: z.string(), source: SourceHeadSchema });

export const ToolUseSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});

export const ToolResultSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).optional(),
  is_error: z.boolean().nullish(),
});

export const ThinkingSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().nullish(),
});

export const RedactedThinkingSchema = z.looseObject({
  type: z.literal('redacted_thinking'),
  data: z.string(),
});

export const ClientToolSchema = z.looseObject({
  type: z.literal('custom').nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().nullish(),
});

export const ServerToolSchema = z.looseObject({ type: z.string().min(1), name: z.string().min(1) });

function pathText(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * `at.path: problem`, worded for people (`messages[3].content[0].tool_use_id: is required`).
 *
 * @example
 * invalidAt('messages[0]', error, raw).message; // 'messages[0].role: is required'
 */
export function invalidAt(at: string, error: z.ZodError, value: unknown): InvalidRequestError {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  const where = `${at}${pathText(path)}`;
  const message =
    valueAt(value, path) === undefined
      ? 'is required'
      : (issue?.message.replace(/^Invalid input: /, '') ?? 'invalid value');
  return new InvalidRequestError(`${where}: ${message}`, { param: where });
}

/** Parses `value` or throws an InvalidRequestError naming the path under `at`. */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, at: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidAt(at, parsed.error, value);
}
