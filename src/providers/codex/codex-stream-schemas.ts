import { z } from 'zod';
import { CodexErrorBodySchema } from './codex-errors.js';

/**
 * Zod schemas for the Codex SSE payloads nodex reads (wire.md §3, the public Responses stream of
 * §6.2). Loose: unknown fields (`sequence_number`, `obfuscation`, `logprobs`…) pass; strict only on
 * the fields the decoder relies on.
 */

export const UsageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  input_tokens_details: z
    .looseObject({ cached_tokens: z.number().nullish(), cache_write_tokens: z.number().nullish() })
    .nullish(),
  output_tokens: z.number().nullish(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  total_tokens: z.number().nullish(),
});

export const ResponseSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  created_at: z.number().nullish(),
  output: z.array(z.unknown()).nullish(),
  usage: UsageSchema.nullish(),
  error: CodexErrorBodySchema.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
});

export const ResponseEventSchema = z.looseObject({ response: ResponseSchema });

export const OutputItemEventSchema = z.looseObject({
  output_index: z.number().nullish(),
  item: z.looseObject({ type: z.string(), id: z.string().nullish() }),
});

export const DeltaEventSchema = z.looseObject({
  item_id: z.string().nullish(),
  summary_index: z.number().nullish(),
  delta: z.string(),
});

export const ArgumentsDoneEventSchema = z.looseObject({
  item_id: z.string(),
  arguments: z.string(),
  name: z.string().nullish(),
});

export const CustomInputDoneEventSchema = z.looseObject({ item_id: z.string(), input: z.string() });

/** `error` events come flat (`code`, `message`) or nested under `error` (wire.md §3 quirk 2). */
export const ErrorEventSchema = CodexErrorBodySchema.extend({ error: CodexErrorBodySchema.nullish() });

const TextPartSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  refusal: z.string().nullish(),
});

export const MessageItemSchema = z.looseObject({
  type: z.literal('message'),
  id: z.string().nullish(),
  content: z.array(TextPartSchema).nullish(),
});

export const ReasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(TextPartSchema).nullish(),
  content: z.array(TextPartSchema).nullish(),
  encrypted_content: z.string().nullish(),
});

export const FunctionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().nullish(),
  call_id: z.string().nullish(),
  name: z.string().nullish(),
  arguments: z.string().nullish(),
});

export const CustomToolCallItemSchema = z.looseObject({
  type: z.literal('custom_tool_call'),
  id: z.string().nullish(),
  call_id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.string().nullish(),
});

export type CodexResponse = z.infer<typeof ResponseSchema>;
export type CodexUsage = z.infer<typeof UsageSchema>;
