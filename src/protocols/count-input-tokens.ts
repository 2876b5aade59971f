import type { CanonicalRequest, ContentPart, InputItem } from '../core/request.js';

/** Tokens counted for one image: OpenAI's high-detail 512×512 tile estimate (85 + 170 × 4). */
export const IMAGE_TOKENS = 765;
/** Per-message framing tokens (role, separators), as in OpenAI's cookbook counting. */
const PER_MESSAGE = 3;

type Counter = (text: string) => number;
let counter: Promise<Counter> | undefined;

function loadCounter(): Promise<Counter> {
  // Lazy: the o200k tables take ~200 ms and ~100 MB to load, so only callers of count() pay.
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then(
    (module) => (text: string) => module.countTokens(text),
  );
  return counter;
}

function partsTokens(parts: readonly ContentPart[], count: Counter): number {
  let total = 0;
  for (const part of parts) total += part.type === 'text' ? count(part.text) : IMAGE_TOKENS;
  return total;
}

function itemTokens(item: InputItem, count: Counter): number {
  switch (item.type) {
    case 'message':
      return PER_MESSAGE + count(item.role) + partsTokens(item.content, count);
    case 'function_call':
      return PER_MESSAGE + count(item.name) + count(item.arguments);
    case 'function_call_output':
      return (
        PER_MESSAGE + (typeof item.output === 'string' ? count(item.output) : partsTokens(item.output, count))
      );
    case 'reasoning':
      return count(item.summary.join('\n')) + (item.text ? count(item.text) : 0);
  }
}

/**
 * Counts a request's input tokens locally with the o200k_base encoding (GPT-4o/GPT-5 family):
 * instructions, every input item and the tool definitions. An estimate for other model families
 * (Claude's tokenizer is not public).
 *
 * @example
 * await countInputTokens({ model: 'gpt-5.5', input: [userText('hello')] }); // 9
 */
export async function countInputTokens(
  request: Pick<CanonicalRequest, 'instructions' | 'input' | 'tools'>,
): Promise<number> {
  const count = await loadCounter();
  let total = request.instructions ? PER_MESSAGE + count(request.instructions) : 0;
  for (const item of request.input) total += itemTokens(item, count);
  for (const tool of request.tools ?? []) total += count(JSON.stringify(tool));
  return total;
}
