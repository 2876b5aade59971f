import { z } from 'zod';
import type { ReasoningConfig, ReasoningEffort, TextFormat } from '../../core/request.js';
import type { IssueSink } from '../openai-responses/request-issues.js';

/**
 * Thinking budget → reasoning effort. The cut points sit between the Anthropic provider's budgets
 * (src/providers/anthropic/anthropic-limits.ts: 1024 / 2048 / 8192 / 16384 / 32000), so a budget the
 * provider produced maps back to its own effort, and Claude Code's budgets land sensibly ("think"
 * 4000 → low, "think hard" 10000 → medium, "ultrathink" 31999 → xhigh).
 *
 * | budget_tokens    | effort  |
 * | ---------------- | ------- |
 * | ≤ 1024           | minimal |
 * | 1025 – 4095      | low     |
 * | 4096 – 12287     | medium  |
 * | 12288 – 24575    | high    |
 * | ≥ 24576          | xhigh   |
 *
 * @example
 * effortForBudget(10_000); // 'medium'
 */
export function effortForBudget(budget: number): Exclude<ReasoningEffort, 'none'> {
  if (budget <= 1024) return 'minimal';
  if (budget < 4096) return 'low';
  if (budget < 12_288) return 'medium';
  if (budget < 24_576) return 'high';
  return 'xhigh';
}

/** `output_config.effort` (effort beta) → canonical effort; `max` is the top level. */
const EFFORTS: Readonly<Record<string, Exclude<ReasoningEffort, 'none'>>> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  max: 'xhigh',
};

/** Adaptive thinking with no `output_config.effort`: Codex's own default effort. */
export const ADAPTIVE_DEFAULT_EFFORT: ReasoningEffort = 'medium';

const ThinkingSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
  z.looseObject({ type: z.literal('adaptive') }),
  z.looseObject({ type: z.literal('disabled') }),
]);

const OutputConfigSchema = z.looseObject({
  effort: z.string().nullish(),
  format: z.unknown().optional(),
});

const JsonSchemaFormat = z.looseObject({
  type: z.literal('json_schema'),
  schema: z.record(z.string(), z.unknown()),
});

/**
 * Decodes `thinking` and `output_config.effort` into the canonical reasoning config:
 * `{type:'enabled', budget_tokens}` → effort by budget (`effortForBudget`); `{type:'adaptive'}` →
 * `output_config.effort` (low/medium/high, max → xhigh) or medium; `{type:'disabled'}` → none.
 * `output_config.effort` without adaptive thinking has no canonical meaning: reported, ignored.
 *
 * @example
 * decodeThinking({ type: 'adaptive' }, { effort: 'high' }, onIssue); // { effort: 'high' }
 */
export function decodeThinking(
  raw: unknown,
  outputConfig: unknown,
  onIssue: IssueSink,
): ReasoningConfig | undefined {
  const config = OutputConfigSchema.safeParse(outputConfig ?? {});
  const effortWord = config.success ? (config.data.effort ?? undefined) : undefined;
  const effort = effortWord === undefined ? undefined : EFFORTS[effortWord];
  if (effortWord !== undefined && effort === undefined)
    onIssue({
      code: 'invalid_effort',
      param: 'output_config.effort',
      message: 'output_config.effort must be low, medium, high or max; ignored',
    });
  if (raw === undefined || raw === null) {
    if (effort)
      onIssue({
        code: 'effort_ignored',
        param: 'output_config.effort',
        message: 'output_config.effort applies only with adaptive thinking here; ignored',
      });
    return undefined;
  }
  const parsed = ThinkingSchema.safeParse(raw);
  if (!parsed.success) {
    onIssue({
      code: 'invalid_thinking',
      param: 'thinking',
      message:
        'thinking must be {type:"enabled", budget_tokens}, {type:"adaptive"} or {type:"disabled"}; dropped',
    });
    return undefined;
  }
  switch (parsed.data.type) {
    case 'enabled':
      return { effort: effortForBudget(parsed.data.budget_tokens) };
    case 'adaptive':
      return { effort: effort ?? ADAPTIVE_DEFAULT_EFFORT };
    case 'disabled':
      return { effort: 'none' };
  }
}

/**
 * Structured output: `output_config.format` (or the older top-level `output_format`)
 * `{type:'json_schema', schema}` → `text.format` json_schema named `output`. A malformed format is a
 * fatal issue (dropping it would silently change what the caller gets back).
 */
export function decodeOutputFormat(
  outputConfig: unknown,
  outputFormat: unknown,
  onIssue: IssueSink,
): TextFormat | undefined {
  const fromConfig =
    typeof outputConfig === 'object' && outputConfig !== null
      ? (outputConfig as { format?: unknown }).format
      : undefined;
  const param = fromConfig === undefined || fromConfig === null ? 'output_format' : 'output_config.format';
  const raw = param === 'output_format' ? outputFormat : fromConfig;
  if (raw === undefined || raw === null) return undefined;
  const parsed = JsonSchemaFormat.safeParse(raw);
  if (parsed.success) return { type: 'json_schema', name: 'output', schema: parsed.data.schema };
  onIssue({
    code: 'invalid_output_format',
    param,
    message: `${param} must be {type:"json_schema", schema}`,
    fatal: true,
  });
  return undefined;
}
