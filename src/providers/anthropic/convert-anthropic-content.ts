import type { ContentPart, ReasoningItem } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
} from './anthropic-wire.js';

/** Anthropic rejects empty and whitespace-only text blocks (wire.md §7.6). */
export function hasText(text: string): boolean {
  return text.trim() !== '';
}

/**
 * An image part as an Anthropic image block: a `data:` URL becomes base64 with its media type, an
 * http(s) URL a `url` source (wire.md §7.7). Anything else is dropped with a warning.
 */
export function imageBlock(imageUrl: string, warn: WarningSink): AnthropicImageBlock | undefined {
  const data = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(imageUrl);
  if (data)
    return { type: 'image', source: { type: 'base64', media_type: data[1] ?? '', data: data[2] ?? '' } };
  if (/^https?:\/\//i.test(imageUrl)) return { type: 'image', source: { type: 'url', url: imageUrl } };
  warn({
    feature: 'input.image',
    details: 'anthropic takes images as base64 data URLs or http(s) URLs; dropped one',
  });
  return undefined;
}

/** User-side parts → text and image blocks, empty text skipped. */
export function userBlocks(
  parts: readonly ContentPart[],
  warn: WarningSink,
): Array<AnthropicTextBlock | AnthropicImageBlock> {
  const out: Array<AnthropicTextBlock | AnthropicImageBlock> = [];
  for (const part of parts) {
    if (part.type === 'text') {
      if (hasText(part.text)) out.push({ type: 'text', text: part.text });
    } else {
      const block = imageBlock(part.image_url, warn);
      if (block) out.push(block);
    }
  }
  return out;
}

/** Assistant parts → text blocks; Anthropic takes no images from the assistant. */
export function assistantBlocks(parts: readonly ContentPart[], warn: WarningSink): AnthropicTextBlock[] {
  const out: AnthropicTextBlock[] = [];
  for (const part of parts) {
    if (part.type === 'text') {
      if (hasText(part.text)) out.push({ type: 'text', text: part.text });
    } else {
      warn({
        feature: 'input.assistant_image',
        details: 'anthropic takes no images in assistant messages; dropped',
      });
    }
  }
  return out;
}

/** A tool output → `tool_result` (text, or text and image blocks; `is_error` kept). */
export function toolResultBlock(
  toolUseId: string,
  output: string | readonly ContentPart[],
  isError: boolean | undefined,
  warn: WarningSink,
): AnthropicToolResultBlock {
  const content = typeof output === 'string' ? output : userBlocks(output, warn);
  const empty = typeof content === 'string' ? content === '' : content.length === 0;
  return {
    type: 'tool_result',
    tool_use_id: toolUseId,
    ...(empty ? {} : { content }),
    ...(isError ? { is_error: true } : {}),
  };
}

/**
 * A reasoning item → the thinking block Anthropic needs back unchanged (wire.md §5.1): `thinking`
 * with its signature, or `redacted_thinking` with its data, both from `provider_data.anthropic`.
 * Undefined for reasoning from another provider (signatures cannot cross providers: wire.md §7.5).
 */
export function thinkingBlock(item: ReasoningItem): AnthropicContentBlock | undefined {
  const data = item.provider_data?.anthropic;
  if (typeof data?.redacted_data === 'string') return { type: 'redacted_thinking', data: data.redacted_data };
  if (typeof data?.signature !== 'string' || data.signature === '') return undefined;
  return { type: 'thinking', thinking: item.text ?? item.summary.join(''), signature: data.signature };
}
