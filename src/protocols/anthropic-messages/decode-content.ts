import { InvalidRequestError } from '../../core/errors.js';
import type { ContentPart, InputItem, MessageItem, ReasoningItem } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import { isPackedReasoning, unpackReasoning } from '../opaque-reasoning.js';
import { fromAnthropicToolId } from './anthropic-ids.js';
import {
  Base64SourceSchema,
  BlockWithSourceSchema,
  MessageSchema,
  parseAt,
  RedactedThinkingSchema,
  TextBlockSchema,
  ThinkingSchema,
  ToolResultSchema,
  ToolUseSchema,
  UrlSourceSchema,
} from './request-schemas.js';

type Block = { readonly type: string };

function drop(warn: WarningSink, where: string, type: string, why = 'is not supported'): void {
  warn({ feature: `content.${type}`, details: `${where}: a "${type}" block ${why}; dropped` });
}

/**
 * An `image` block as an image part: base64 → a `data:` URL, `url` → the URL. A `document` whose
 * source is plain text becomes a text part; PDFs and file references have no canonical place and are
 * dropped with a warning.
 */
function sourcePart(block: Block, where: string, warn: WarningSink): ContentPart | undefined {
  const { source } = parseAt(BlockWithSourceSchema, block, where);
  const at = `${where}.source`;
  if (block.type === 'image' && source.type === 'base64') {
    const { media_type, data } = parseAt(Base64SourceSchema, source, at);
    return { type: 'image', image_url: `data:${media_type};base64,${data}` };
  }
  if (block.type === 'image' && source.type === 'url')
    return { type: 'image', image_url: parseAt(UrlSourceSchema, source, at).url };
  if (block.type === 'document' && source.type === 'text' && typeof source.data === 'string')
    return { type: 'text', text: source.data };
  drop(warn, where, block.type, `with a "${source.type}" source has no canonical form`);
  return undefined;
}

const PART_TYPES = new Set(['text', 'image', 'document']);

/** A text, image or document block as a content part (undefined when dropped with a warning). */
function partOf(block: Block, at: string, warn: WarningSink): ContentPart | undefined {
  if (block.type === 'text') return { type: 'text', text: parseAt(TextBlockSchema, block, at).text };
  if (block.type === 'image' || block.type === 'document') return sourcePart(block, at, warn);
  drop(warn, at, block.type);
  return undefined;
}

/** tool_result content blocks: text and images; anything else is dropped with a warning. */
function partsOf(blocks: readonly Block[], where: string, warn: WarningSink): ContentPart[] {
  const parts: ContentPart[] = [];
  blocks.forEach((block, index) => {
    const part = partOf(block, `${where}[${index}]`, warn);
    if (part) parts.push(part);
  });
  return parts;
}

/**
 * A thinking block as a reasoning item (wire.md §5.1): a nodex token in `signature` restores the
 * foreign item it carries (Codex `encrypted_content`…); any other signature is Anthropic's own, kept
 * under `provider_data.anthropic.signature` exactly as the Anthropic provider's decoder does.
 */
function thinkingItem(block: Block, where: string, warn: WarningSink): ReasoningItem | undefined {
  const { thinking, signature: raw } = parseAt(ThinkingSchema, block, where);
  const signature = raw ?? undefined;
  if (isPackedReasoning(signature)) {
    const restored = unpackReasoning(signature);
    if (!restored) warn({ feature: 'content.thinking', details: `${where}: a damaged nodex token; dropped` });
    return restored;
  }
  return {
    type: 'reasoning',
    summary: [],
    text: thinking,
    ...(signature ? { provider_data: { anthropic: { signature } } } : {}),
  };
}

function blockItem(block: Block, where: string, warn: WarningSink): InputItem | undefined {
  switch (block.type) {
    case 'tool_use': {
      const { id, name, input } = parseAt(ToolUseSchema, block, where);
      // The id may carry the call's provider data (Gemini's thought signature: anthropic-ids.ts).
      const { callId, providerData } = fromAnthropicToolId(id);
      return {
        type: 'function_call',
        call_id: callId,
        name,
        arguments: JSON.stringify(input),
        ...(providerData ? { provider_data: providerData } : {}),
      };
    }
    case 'tool_result': {
      const { tool_use_id, content, is_error } = parseAt(ToolResultSchema, block, where);
      const output =
        content === undefined || typeof content === 'string'
          ? (content ?? '')
          : partsOf(content, `${where}.content`, warn);
      return {
        type: 'function_call_output',
        call_id: fromAnthropicToolId(tool_use_id).callId,
        output,
        ...(is_error ? { is_error: true } : {}),
      };
    }
    case 'thinking':
      return thinkingItem(block, where, warn);
    case 'redacted_thinking': {
      const { data } = parseAt(RedactedThinkingSchema, block, where);
      return { type: 'reasoning', summary: [], provider_data: { anthropic: { redacted_data: data } } };
    }
    default:
      // server_tool_use, web_search_tool_result, mcp_tool_use, container_upload…: results of tools
      // the upstream ran itself; no other upstream can replay them.
      drop(warn, where, block.type);
      return undefined;
  }
}

/**
 * A mid-conversation `system` message (the `mid-conversation-system-2026-04-07` beta Claude Code
 * sends): a string or text blocks, kept in place as one canonical system message (providers place it:
 * Codex sends it as a `developer` message). Its content is text, like top-level `system`: another
 * block type is a 400 naming the path.
 */
function systemMessage(content: string | readonly Block[], at: string): InputItem[] {
  const texts =
    typeof content === 'string'
      ? [content]
      : content.map((block, b) => parseAt(TextBlockSchema, block, `${at}.content[${b}]`).text);
  const parts: ContentPart[] = texts.filter((text) => text !== '').map((text) => ({ type: 'text', text }));
  return parts.length === 0 ? [] : [{ type: 'message', role: 'system', content: parts }];
}

/**
 * Decodes one Messages `messages[i]` into canonical items, in block order: runs of text, image and
 * text-document blocks become one message item of that role; `tool_use` → `function_call` (id
 * restored, `input` → JSON text), `tool_result` → `function_call_output`, `thinking` /
 * `redacted_thinking` → reasoning items; a `system` message → a system message item (text only).
 * Invalid blocks throw an InvalidRequestError naming the path.
 *
 * @example
 * decodeAnthropicMessage({ role: 'user', content: 'hi' }, 0, () => {});
 */
export function decodeAnthropicMessage(raw: unknown, index: number, warn: WarningSink): InputItem[] {
  const at = `messages[${index}]`;
  const { role, content } = parseAt(MessageSchema, raw, at);
  if (role === 'system') return systemMessage(content, at);
  if (typeof content === 'string')
    return [{ type: 'message', role, content: [{ type: 'text', text: content }] }];
  const items: InputItem[] = [];
  let parts: ContentPart[] = [];
  const flush = (): void => {
    if (parts.length === 0) return;
    const message: MessageItem = { type: 'message', role, content: parts };
    items.push(message);
    parts = [];
  };
  content.forEach((block, b) => {
    const where = `${at}.content[${b}]`;
    if (PART_TYPES.has(block.type)) {
      const part = partOf(block, where, warn);
      if (part) parts.push(part);
      return;
    }
    flush();
    const item = blockItem(block, where, warn);
    if (item) items.push(item);
  });
  flush();
  return items;
}

/** Decodes `messages`: a non-empty array (the API rejects an empty one). */
export function decodeAnthropicMessages(raw: unknown, warn: WarningSink): InputItem[] {
  if (!Array.isArray(raw))
    throw new InvalidRequestError(
      raw === undefined ? 'messages: is required' : 'messages: expected an array of messages',
      { param: 'messages' },
    );
  if (raw.length === 0)
    throw new InvalidRequestError('messages: at least one message is required', { param: 'messages' });
  return raw.flatMap((message, index) => decodeAnthropicMessage(message, index, warn));
}
