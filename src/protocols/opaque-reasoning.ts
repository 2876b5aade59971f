import { z } from 'zod';
import type { ProviderData } from '../core/provider-data.js';
import type { ReasoningItem } from '../core/request.js';

/**
 * Reasoning a provider needs back verbatim (Codex `encrypted_content`, an Anthropic thinking
 * `signature`, redacted thinking) must survive a round trip through whichever protocol the client
 * speaks. Clients carry exactly one opaque string per reasoning item (Responses
 * `encrypted_content`, Anthropic `signature`), so foreign reasoning travels as a versioned token in
 * that string: `nodex:v1:` + base64url(JSON). Only nodex reads it; the upstream never sees it.
 */
export const OPAQUE_PREFIX = 'nodex:v1:';

const PackedSchema = z.looseObject({
  summary: z.array(z.string()).default([]),
  text: z.string().optional(),
  encrypted_content: z.string().optional(),
  provider_data: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

/** Packs a reasoning item into one opaque token. */
export function packReasoning(item: ReasoningItem): string {
  const packed = {
    summary: item.summary,
    ...(item.text ? { text: item.text } : {}),
    ...(item.encrypted_content ? { encrypted_content: item.encrypted_content } : {}),
    ...(item.provider_data ? { provider_data: item.provider_data } : {}),
  };
  return `${OPAQUE_PREFIX}${Buffer.from(JSON.stringify(packed)).toString('base64url')}`;
}

/** Whether an opaque string is a nodex token (rather than an upstream's own value). */
export function isPackedReasoning(value: string | undefined): value is string {
  return typeof value === 'string' && value.startsWith(OPAQUE_PREFIX);
}

/**
 * Unpacks a nodex token into the reasoning item it carried (its id kept from the client), or
 * undefined when the token is damaged (the caller drops it with a warning).
 */
export function unpackReasoning(token: string, id?: string): ReasoningItem | undefined {
  if (!isPackedReasoning(token)) return undefined;
  try {
    const parsed = PackedSchema.safeParse(
      JSON.parse(Buffer.from(token.slice(OPAQUE_PREFIX.length), 'base64url').toString('utf8')),
    );
    if (!parsed.success) return undefined;
    const { summary, text, encrypted_content, provider_data } = parsed.data;
    return {
      type: 'reasoning',
      summary,
      ...(id ? { id } : {}),
      ...(text ? { text } : {}),
      ...(encrypted_content ? { encrypted_content } : {}),
      ...(provider_data ? { provider_data: provider_data as ProviderData } : {}),
    };
  } catch {
    return undefined;
  }
}
