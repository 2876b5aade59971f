import { z } from 'zod';

/**
 * Zod schemas for the Messages SSE payloads nodex reads (wire.md §5.1; anthropic-sdk-typescript
 * `RawMessageStreamEvent`). Loose on unknown fields, strict on what the decoder relies on.
 */

const count = z.number().nonnegative().nullish();

export const UsageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count,
  cache_read_input_tokens: count,
});

export type AnthropicUsage = z.output<typeof UsageSchema>;

export const MessageStartSchema = z.looseObject({
  message: z.looseObject({
    id: z.string().nullish(),
    model: z.string().nullish(),
    usage: UsageSchema.nullish(),
  }),
});

export const BlockStartSchema = z.looseObject({
  index: z.number().int(),
  content_block: z.looseObject({
    type: z.string(),
    text: z.string().nullish(),
    thinking: z.string().nullish(),
    signature: z.string().nullish(),
    data: z.string().nullish(),
    id: z.string().nullish(),
    name: z.string().nullish(),
    input: z.unknown().optional(),
  }),
});

export const BlockDeltaSchema = z.looseObject({
  index: z.number().int(),
  delta: z.looseObject({
    type: z.string(),
    text: z.string().nullish(),
    thinking: z.string().nullish(),
    signature: z.string().nullish(),
    partial_json: z.string().nullish(),
  }),
});

export const BlockStopSchema = z.looseObject({ index: z.number().int() });

export const MessageDeltaSchema = z.looseObject({
  delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).nullish(),
  usage: UsageSchema.nullish(),
});

/** The error envelope, in HTTP bodies and `error` events (wire.md §5.2). */
export const ErrorEnvelopeSchema = z.looseObject({
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }),
  request_id: z.string().nullish(),
});
