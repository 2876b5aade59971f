import { assertNever } from '../../core/exhaustive.js';
import type {
  ContentPart,
  FunctionCallItem,
  FunctionCallOutputItem,
  InputItem,
  MessageItem,
} from '../../core/request.js';
import { extraContentOf } from './chat-provider-data.js';
import type { ChatContentPart, ChatDialect, ChatMessage, ChatToolCall } from './chat-wire.js';

/** Reports one dropped or approximated feature (the converter dedupes per feature). */
export type Warn = (feature: string, details: string) => void;

interface OpenAssistant {
  content: string | null;
  readonly toolCalls: ChatToolCall[];
}

function textOnly(parts: readonly ContentPart[], where: string, warn: Warn): string {
  let text = '';
  for (const part of parts) {
    if (part.type === 'text') text += part.text;
    else warn('input.image', `images are only sent in user messages; dropped one from ${where}`);
  }
  return text;
}

function userContent(parts: readonly ContentPart[]): string | ChatContentPart[] {
  const [only] = parts;
  if (parts.length === 1 && only?.type === 'text') return only.text;
  return parts.map((part) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : {
          type: 'image_url',
          image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) },
        },
  );
}

function message(item: MessageItem, warn: Warn): ChatMessage {
  switch (item.role) {
    case 'user':
      return { role: 'user', content: userContent(item.content) };
    case 'system':
    case 'developer':
      // Both become `system`: custom hosts often reject `developer`, and OpenAI treats a system
      // message as the developer message on reasoning models (docs/config.md, kind openai-compatible).
      return { role: 'system', content: textOnly(item.content, `a ${item.role} message`, warn) };
    case 'assistant':
      throw new Error('assistant messages are merged with their tool calls');
    default:
      return assertNever(item.role, 'message role');
  }
}

function toolCall(item: FunctionCallItem, dialect: ChatDialect, warn: Warn): ChatToolCall {
  const extra = extraContentOf(item.provider_data);
  if (extra && dialect !== 'gemini') {
    warn('function_call.provider_data', 'a Gemini thought signature cannot be sent to this host; dropped');
  }
  return {
    id: item.call_id,
    type: 'function',
    // Hosts parse the arguments as JSON: an empty text would be rejected.
    function: { name: item.name, arguments: item.arguments.trim() === '' ? '{}' : item.arguments },
    // wire.md §6.3: Gemini answers 400 unless the signature comes back on the call it was given for.
    ...(extra && dialect === 'gemini' ? { extra_content: extra } : {}),
  };
}

function toolOutput(item: FunctionCallOutputItem, warn: Warn): string {
  if (item.is_error)
    warn('function_call_output.is_error', 'Chat Completions has no error flag on tool results');
  return typeof item.output === 'string' ? item.output : textOnly(item.output, 'a tool result', warn);
}

/**
 * Canonical input → Chat messages (wire.md §7): instructions first as a `system` message; every
 * function_call of one assistant turn in ONE assistant message with `tool_calls` (`content: null`
 * when the turn has no text; seeds-spec §C.1 item 25); each function_call_output as a `tool`
 * message; an output whose call is not in the input becomes a user message (OCA's orphan fix,
 * §7.2); reasoning items have no Chat form and are dropped with one warning (Gemini's thought
 * signature travels on the call instead).
 *
 * @example
 * convertChatMessages({ model: 'm', input: [userText('hi')] }, 'openai', warn);
 * // [{ role: 'user', content: 'hi' }]
 */
export function convertChatMessages(
  request: { readonly instructions?: string; readonly input: readonly InputItem[] },
  dialect: ChatDialect,
  warn: Warn,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  const calls = new Set<string>();
  let assistant: OpenAssistant | undefined;
  const flush = () => {
    if (!assistant) return;
    if (assistant.toolCalls.length > 0) {
      messages.push({ role: 'assistant', content: assistant.content, tool_calls: assistant.toolCalls });
    } else if (assistant.content !== null) {
      messages.push({ role: 'assistant', content: assistant.content });
    }
    assistant = undefined;
  };
  let reasoning = 0;
  for (const item of request.input) {
    switch (item.type) {
      case 'message':
        flush();
        if (item.role === 'assistant') {
          const text = textOnly(item.content, 'an assistant message', warn);
          assistant = { content: text === '' ? null : text, toolCalls: [] };
        } else messages.push(message(item, warn));
        break;
      case 'function_call':
        assistant ??= { content: null, toolCalls: [] };
        assistant.toolCalls.push(toolCall(item, dialect, warn));
        calls.add(item.call_id);
        break;
      case 'function_call_output':
        flush();
        if (calls.has(item.call_id)) {
          messages.push({ role: 'tool', tool_call_id: item.call_id, content: toolOutput(item, warn) });
        } else {
          warn(
            'function_call_output',
            `no tool call ${item.call_id} in the input; its output is sent as text`,
          );
          messages.push({
            role: 'user',
            content: `Output of tool call ${item.call_id}: ${toolOutput(item, warn)}`,
          });
        }
        break;
      case 'reasoning':
        reasoning += 1; // does not end the assistant turn: calls after it join the same message
        break;
      default:
        assertNever(item, 'input item');
    }
  }
  flush();
  if (reasoning > 0) {
    warn(
      'input.reasoning',
      `Chat Completions cannot replay reasoning; dropped ${reasoning} reasoning item(s)`,
    );
  }
  return messages;
}
