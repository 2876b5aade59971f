import type { ReasoningEffort } from '../../core/request.js';

/**
 * Default `max_tokens` per model prefix, used when a request sets no `max_output_tokens` (Anthropic
 * requires the field). The longest matching prefix wins; `default` covers the rest. 32000 for the
 * Opus/Sonnet 4.x family is what Claude Code sends (fixture anthropic-request-oauth.json) and fits
 * every 4.x model's output limit; Haiku gets 8192 (Haiku 3.5's limit), safe on every Haiku.
 */
export const DEFAULT_MAX_TOKENS: Readonly<Record<string, number>> = {
  'claude-opus-4': 32_000,
  'claude-sonnet-4': 32_000,
  'claude-3-7-sonnet': 32_000,
  'claude-haiku': 8192,
  'claude-3-5-haiku': 8192,
  default: 8192,
};

/** Thinking budgets per reasoning effort (`none` = thinking off). Anthropic's minimum is 1024. */
export const DEFAULT_THINKING_BUDGETS: Readonly<Record<Exclude<ReasoningEffort, 'none'>, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16_384,
  xhigh: 32_000,
};

/**
 * The default `max_tokens` for a model from a prefix table.
 *
 * @example
 * defaultMaxTokens('claude-sonnet-4-5', DEFAULT_MAX_TOKENS); // 32000
 */
export function defaultMaxTokens(model: string, table: Readonly<Record<string, number>>): number {
  let best: string | undefined;
  for (const prefix of Object.keys(table)) {
    if (
      prefix !== 'default' &&
      model.startsWith(prefix) &&
      (best === undefined || prefix.length > best.length)
    )
      best = prefix;
  }
  return table[best ?? 'default'] ?? DEFAULT_MAX_TOKENS.default ?? 8192;
}
