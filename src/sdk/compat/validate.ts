import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors.js';
import type { Attributes, ExpiresAfter, ListParams, Metadata, StaticChunkingStrategy } from './types.js';

/** OpenAI's limits on `metadata`: 16 pairs, keys ≤ 64 characters, string values ≤ 512. */
export const MetadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, 'at most 16 metadata pairs');

/** OpenAI's limits on `attributes`: like metadata, but values may also be numbers or booleans. */
export const AttributesSchema = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean()]))
  .refine((value) => Object.keys(value).length <= 16, 'at most 16 attributes');

export const ExpiresAfterSchema = z.strictObject({
  anchor: z.literal('last_active_at'),
  days: z.number().int().min(1).max(365),
});

/** OpenAI's rules: size 100–4096 tokens, overlap at most half of it. */
const StaticSchema = z
  .strictObject({
    max_chunk_size_tokens: z.number().int().min(100).max(4096),
    chunk_overlap_tokens: z.number().int().min(0),
  })
  .refine((s) => s.chunk_overlap_tokens <= s.max_chunk_size_tokens / 2, {
    message: 'chunk_overlap_tokens must not exceed half of max_chunk_size_tokens',
  });

export const ChunkingStrategySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto') }),
  z.strictObject({ type: z.literal('static'), static: StaticSchema }),
]);

/** OpenAI's `auto` strategy today: 800-token chunks overlapping by 400. */
export const AUTO_CHUNKING: StaticChunkingStrategy = {
  type: 'static',
  static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
};

/**
 * Parses `value` or throws a 400 naming the field (`param`) and zod's reason.
 *
 * @example
 * const metadata = parseParam(MetadataSchema, params.metadata ?? {}, 'metadata');
 */
export function parseParam<T>(schema: z.ZodType<T>, value: unknown, param: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [param, ...(issue?.path ?? []).map(String)].join('.');
  throw new InvalidRequestError(`invalid ${path}: ${issue?.message ?? 'invalid value'}`, { param });
}

export function parseMetadata(value: unknown): Metadata {
  return parseParam(MetadataSchema, value ?? {}, 'metadata');
}

export function parseAttributes(value: unknown): Attributes {
  return parseParam(AttributesSchema, value ?? {}, 'attributes');
}

export function parseExpiresAfter(value: unknown): ExpiresAfter {
  return parseParam(ExpiresAfterSchema, value, 'expires_after');
}

/** Resolves a chunking strategy parameter (absent or `auto` → 800 / 400). */
export function parseChunking(value: unknown): StaticChunkingStrategy {
  if (value === undefined || value === null) return AUTO_CHUNKING;
  const parsed = parseParam(ChunkingStrategySchema, value, 'chunking_strategy');
  return parsed.type === 'auto' ? AUTO_CHUNKING : parsed;
}

const ListParamsSchema = z.object({
  limit: z.number().int().min(1).optional(),
  after: z.string().min(1).optional(),
  before: z.string().min(1).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

/** Checks the shared list parameters; the limit's upper bound differs per endpoint. */
export function parseListParams(value: unknown, maxLimit: number): ListParams {
  const params = parseParam(ListParamsSchema, value ?? {}, 'list');
  if (params.limit !== undefined && params.limit > maxLimit) {
    throw new InvalidRequestError(`limit must be between 1 and ${maxLimit}`, { param: 'limit' });
  }
  return params;
}

/** Requires a non-empty string id (a clear 400 beats a "not found" for `undefined`). */
export function requireId(value: unknown, param: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw new InvalidRequestError(`${param} must be a non-empty string`, { param });
}
