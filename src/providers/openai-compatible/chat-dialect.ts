import type { ReasoningEffort } from '../../core/request.js';

/** Which body field carries the output token limit. */
export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

/**
 * OpenAI reasoning models (o1, o3, o4-mini, gpt-5…): they reject `max_tokens` and a non-default
 * `temperature` / `top_p` (wire.md §7.9). A host prefix (`openai/gpt-5`) is ignored.
 *
 * @example
 * isOpenAIReasoningModel('o3-mini'); // true
 * isOpenAIReasoningModel('gpt-4o'); // false
 */
export function isOpenAIReasoningModel(model: string): boolean {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return /^(o\d+|gpt-5)([-.]|$)/.test(name);
}

/**
 * The output-limit field for a model: the configured one, else `max_completion_tokens` for OpenAI
 * reasoning models and `max_tokens` elsewhere (every OpenAI-compatible host and Gemini know it).
 *
 * @example
 * maxTokensField('gpt-5.5'); // 'max_completion_tokens'
 * maxTokensField('qwen-2.5', undefined); // 'max_tokens'
 */
export function maxTokensField(model: string, configured?: MaxTokensField): MaxTokensField {
  if (configured) return configured;
  return isOpenAIReasoningModel(model) ? 'max_completion_tokens' : 'max_tokens';
}

/**
 * Gemini's `reasoning_effort` takes `none`, `low`, `medium`, `high` (wire.md §6.3); `minimal` and
 * `xhigh` are approximated to the nearest level.
 *
 * @example
 * geminiReasoningEffort('xhigh'); // { effort: 'high', approximated: true }
 */
export function geminiReasoningEffort(effort: ReasoningEffort): {
  readonly effort: 'none' | 'low' | 'medium' | 'high';
  readonly approximated: boolean;
} {
  switch (effort) {
    case 'none':
    case 'low':
    case 'medium':
    case 'high':
      return { effort, approximated: false };
    case 'minimal':
      return { effort: 'low', approximated: true };
    case 'xhigh':
      return { effort: 'high', approximated: true };
  }
}
