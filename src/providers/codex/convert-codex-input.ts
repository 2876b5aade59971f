import type { ContentPart, FunctionCallItem, InputItem, MessageItem } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import type { CodexNames } from './codex-names.js';
import type { CodexContentPart, CodexInputItem } from './codex-wire.js';

/** Marks a canonical call that came from a Codex `custom_tool_call` (freeform input, not JSON). */
export const CUSTOM_TOOL_CALL = 'custom_tool_call';

function inputParts(parts: readonly ContentPart[]): CodexContentPart[] {
  return parts.map((part) =>
    part.type === 'text'
      ? { type: 'input_text', text: part.text }
      : {
          type: 'input_image',
          image_url: part.image_url,
          ...(part.detail === undefined ? {} : { detail: part.detail }),
        },
  );
}

function assistantMessage(item: MessageItem, warn: WarningSink): CodexInputItem | undefined {
  const content: CodexContentPart[] = [];
  for (const part of item.content) {
    if (part.type === 'text') {
      if (part.text !== '') content.push({ type: 'output_text', text: part.text });
    } else {
      warn({
        feature: 'input.assistant_image',
        details: 'codex takes no images in assistant messages; dropped',
      });
    }
  }
  // An empty assistant message before tool calls breaks call matching (wire.md §7.1, §7.6).
  return content.length === 0 ? undefined : { type: 'message', role: 'assistant', content };
}

function isCustomCall(item: FunctionCallItem): boolean {
  return item.provider_data?.codex?.item_type === CUSTOM_TOOL_CALL;
}

function partsText(output: string | readonly ContentPart[]): string {
  if (typeof output === 'string') return output;
  return output.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * Canonical input items → Codex input items (wire.md §2.3 replay rules): `system` becomes
 * `developer` (400 "System messages are not allowed"), every item `id` is stripped (with
 * store:false the backend cannot resolve ids), reasoning is replayed only with its
 * `encrypted_content`, and long names and call ids are shortened.
 *
 * @example
 * convertCodexInput([{ type: 'message', role: 'system', content: [{ type: 'text', text: 'x' }] }], names, warn);
 * // [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'x' }] }]
 */
export function convertCodexInput(
  input: readonly InputItem[],
  names: CodexNames,
  warn: WarningSink,
): CodexInputItem[] {
  const out: CodexInputItem[] = [];
  const customCalls = new Set<string>();
  for (const item of input) {
    switch (item.type) {
      case 'message': {
        if (item.role === 'assistant') {
          const message = assistantMessage(item, warn);
          if (message) out.push(message);
          break;
        }
        const role = item.role === 'system' ? 'developer' : item.role;
        out.push({ type: 'message', role, content: inputParts(item.content) });
        break;
      }
      case 'function_call': {
        const callId = names.shorten(item.call_id);
        const name = names.shorten(item.name);
        if (isCustomCall(item)) {
          customCalls.add(item.call_id);
          out.push({ type: 'custom_tool_call', call_id: callId, name, input: item.arguments });
        } else {
          out.push({ type: 'function_call', call_id: callId, name, arguments: item.arguments });
        }
        break;
      }
      case 'function_call_output': {
        const callId = names.shorten(item.call_id);
        if (item.is_error) {
          warn({
            feature: 'function_call_output.is_error',
            details: 'codex has no error flag on tool outputs; sent as a plain output',
          });
        }
        if (customCalls.has(item.call_id)) {
          out.push({ type: 'custom_tool_call_output', call_id: callId, output: partsText(item.output) });
        } else {
          const output = typeof item.output === 'string' ? item.output : inputParts(item.output);
          out.push({ type: 'function_call_output', call_id: callId, output });
        }
        break;
      }
      case 'reasoning': {
        if (item.encrypted_content === undefined || item.encrypted_content === '') {
          warn({
            feature: 'input.reasoning',
            details:
              'codex replays reasoning only with encrypted_content (store:false has no ids to refer to); dropped',
          });
          break;
        }
        out.push({
          type: 'reasoning',
          summary: item.summary.map((text) => ({ type: 'summary_text', text })),
          encrypted_content: item.encrypted_content,
        });
        break;
      }
    }
  }
  return out;
}
