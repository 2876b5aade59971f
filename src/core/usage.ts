/**
 * Token usage as reported by the upstream. Field names follow stream event schema v1
 * (seeds-spec §B.4), including its mirrored aliases `cached_input_tokens` and
 * `reasoning_output_tokens`, which always equal `cached_tokens` and `reasoning_tokens`.
 */
export interface TokenUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly total_tokens: number;
  /** Input tokens served from the upstream's prompt cache (part of `input_tokens`). */
  readonly cached_tokens: number;
  /** Output tokens spent on reasoning (part of `output_tokens`). */
  readonly reasoning_tokens: number;
  /** Input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
  readonly cache_write_tokens: number;
  readonly cached_input_tokens: number;
  readonly reasoning_output_tokens: number;
}

export interface UsageFigures {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly total_tokens?: number;
  readonly cached_tokens?: number;
  readonly reasoning_tokens?: number;
  readonly cache_write_tokens?: number;
}

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * Builds a complete usage record from partial figures; `total_tokens` defaults to input + output.
 *
 * @example
 * makeUsage({ input_tokens: 10, output_tokens: 5 }).total_tokens; // 15
 */
export function makeUsage(figures: UsageFigures): TokenUsage {
  const input = count(figures.input_tokens);
  const output = count(figures.output_tokens);
  const cached = count(figures.cached_tokens);
  const reasoning = count(figures.reasoning_tokens);
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: figures.total_tokens === undefined ? input + output : count(figures.total_tokens),
    cached_tokens: cached,
    reasoning_tokens: reasoning,
    cache_write_tokens: count(figures.cache_write_tokens),
    cached_input_tokens: cached,
    reasoning_output_tokens: reasoning,
  };
}

/** Sums two usage records (a tool loop's turns, say). */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return makeUsage({
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
    reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
    cache_write_tokens: a.cache_write_tokens + b.cache_write_tokens,
  });
}
