import { z } from 'zod';

/**
 * Zod schemas for what nodex reads from a Chat Completions stream (wire.md §6.1, §6.3): loose on
 * unknown fields (hosts add `obfuscation`, `service_tier`, `system_fingerprint`…), strict on the
 * fields read.
 */

/** `{"error":{message,type,param,code}}` (OpenAI) or `{code:<number>,message,status,details}` (Google). */
export const ChatErrorBodySchema = z.looseObject({
  message: z.string().nullish(),
  type: z.string().nullish(),
  param: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
  status: z.string().nullish(),
  details: z.array(z.unknown()).nullish(),
});

export type ChatErrorBody = z.infer<typeof ChatErrorBodySchema>;

const FunctionFragmentSchema = z.looseObject({
  name: z.string().nullish(),
  arguments: z.string().nullish(),
});

/** One `tool_calls[]` fragment: `index` is absent on Gemini (wire.md §6.3). */
export const ToolCallFragmentSchema = z.looseObject({
  index: z.number().int().nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: FunctionFragmentSchema.nullish(),
  extra_content: z.record(z.string(), z.unknown()).nullish(),
});

export type ToolCallFragment = z.infer<typeof ToolCallFragmentSchema>;

const DeltaSchema = z.looseObject({
  content: z.string().nullish(),
  refusal: z.string().nullish(),
  /** DeepSeek, vLLM (older), many hosts. */
  reasoning_content: z.string().nullish(),
  /** vLLM (newer), OpenRouter: read only when it is text. */
  reasoning: z.unknown().optional(),
  tool_calls: z.array(ToolCallFragmentSchema).nullish(),
  /** The deprecated single-function form (`finish_reason: "function_call"`). */
  function_call: FunctionFragmentSchema.nullish(),
});

const ChoiceSchema = z.looseObject({
  index: z.number().int().nullish(),
  delta: DeltaSchema.nullish(),
  finish_reason: z.string().nullish(),
});

export const ChatUsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});

export type ChatUsage = z.infer<typeof ChatUsageSchema>;

export const ChatChunkSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  created: z.number().nullish(),
  choices: z.array(ChoiceSchema).nullish(),
  usage: ChatUsageSchema.nullish(),
  error: ChatErrorBodySchema.nullish(),
});

export type ChatChunk = z.infer<typeof ChatChunkSchema>;
export type ChatChoice = z.infer<typeof ChoiceSchema>;
