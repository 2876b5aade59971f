import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors.js';
import type { ContentPart, InputItem } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import { providerDataOfExtraContent } from './encode-response.js';

/** Wire schemas for Chat Completions messages: loose on unknown fields, strict on what nodex reads. */

const contentError = (issue: { input?: unknown }) =>
  issue.input === undefined
    ? 'is required (expected a string or an array of content parts)'
    : 'expected a string or an array of content parts';
const Content = z.union([z.string(), z.array(z.looseObject({ type: z.string() }))], { error: contentError });
const TextPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const RefusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const ImageUrlPart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.union([
    z.string().min(1),
    z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).nullish() }),
  ]),
});
const FunctionShape = z.looseObject({ name: z.string().min(1), arguments: z.string() });
const name = z.string().nullish();

const SystemMessage = z.looseObject({ role: z.enum(['system', 'developer']), content: Content, name });
const UserMessage = z.looseObject({ role: z.literal('user'), content: Content, name });
const AssistantMessage = z.looseObject({
  role: z.literal('assistant'),
  // Null (or absent) when the turn is only tool calls (wire.md §7 item 1).
  content: Content.nullish(),
  refusal: z.string().nullish(),
  tool_calls: z.array(z.unknown()).nullish(),
  /** The deprecated single call (no id). */
  function_call: FunctionShape.nullish(),
  reasoning_content: z.string().nullish(),
  name,
});
const ToolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: FunctionShape,
  /** Gemini's thought signature travels here and must come back (wire.md §6.3). */
  extra_content: z.record(z.string(), z.unknown()).nullish(),
});
const ToolMessage = z.looseObject({
  role: z.literal('tool'),
  tool_call_id: z.string().min(1),
  content: Content,
});
const FunctionMessage = z.looseObject({
  role: z.literal('function'),
  name: z.string().min(1),
  content: z.string().nullish(),
});

type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';
const ROLES = 'system, developer, user, assistant, tool or function';

/** `where.path: problem`, worded for people (`is required` rather than `received undefined`). */
function parse<T extends z.ZodType>(schema: T, raw: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = `${where}${(issue?.path ?? []).map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`;
  const message = (issue?.message ?? 'invalid value')
    .replace(/^Invalid input: /, '')
    .replace(/^expected (.+), received undefined$/, 'is required (expected $1)');
  throw new InvalidRequestError(`${at}: ${message}`, { param: at });
}

interface LegacyCall {
  readonly name: string;
  readonly callId: string;
  answered: boolean;
}

interface State {
  readonly items: InputItem[];
  readonly legacy: LegacyCall[];
  readonly warn: WarningSink;
  readonly warned: Set<string>;
}

function warnOnce(state: State, feature: string, details: string): void {
  if (state.warned.has(feature)) return;
  state.warned.add(feature);
  state.warn({ feature, details });
}

/** Content parts by role: images only from users and tools; refusals only from the assistant. */
function decodeParts(
  content: z.output<typeof Content>,
  where: string,
  role: Role,
  state: State,
): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: ContentPart[] = [];
  content.forEach((part, index) => {
    const at = `${where}.content[${index}]`;
    if (part.type === 'text') out.push({ type: 'text', text: parse(TextPart, part, at).text });
    else if (part.type === 'refusal' && role === 'assistant')
      out.push({ type: 'text', text: parse(RefusalPart, part, at).refusal });
    else if (part.type === 'image_url' && (role === 'user' || role === 'tool')) {
      const image = parse(ImageUrlPart, part, at).image_url;
      const url = typeof image === 'string' ? image : image.url;
      const detail = typeof image === 'string' ? undefined : image.detail;
      out.push({ type: 'image', image_url: url, ...(detail ? { detail } : {}) });
    } else {
      state.warn({
        feature: `content.${part.type}`,
        details: `${at}: content type "${part.type}" is not supported in ${role} messages; dropped`,
      });
    }
  });
  return out;
}

function decodeAssistant(raw: unknown, i: number, where: string, state: State): void {
  const message = parse(AssistantMessage, raw, where);
  const content = message.content == null ? [] : decodeParts(message.content, where, 'assistant', state);
  if (message.refusal) content.push({ type: 'text', text: message.refusal });
  const hasText = content.some((part) => part.type !== 'text' || part.text !== '');
  // Text first, then every call of the turn in order, with no empty message before them (wire.md §7 item 1).
  if (hasText) state.items.push({ type: 'message', role: 'assistant', content });
  let calls = 0;
  (message.tool_calls ?? []).forEach((rawCall, j) => {
    const at = `${where}.tool_calls[${j}]`;
    const type =
      typeof rawCall === 'object' && rawCall !== null ? (rawCall as { type?: unknown }).type : undefined;
    if (type === 'custom') {
      state.warn({
        feature: 'tool_calls.custom',
        details: `${at}: custom tool calls are not supported; dropped`,
      });
      return;
    }
    const call = parse(ToolCall, rawCall, at);
    calls += 1;
    state.items.push({
      type: 'function_call',
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      ...(call.extra_content ? { provider_data: providerDataOfExtraContent(call.extra_content) } : {}),
    });
  });
  if (message.function_call) {
    const callId = `call_legacy_${i}`;
    const { name, arguments: args } = message.function_call;
    state.items.push({ type: 'function_call', call_id: callId, name, arguments: args });
    state.legacy.push({ name, callId, answered: false });
    calls += 1;
  }
  if (message.reasoning_content) {
    warnOnce(
      state,
      'messages.reasoning_content',
      'Chat reasoning_content cannot be replayed upstream; dropped',
    );
  }
  if (!hasText && calls === 0) {
    state.warn({ feature: 'messages.assistant', details: `${where}: an empty assistant message; dropped` });
  }
}

function decodeMessage(raw: unknown, i: number, state: State): void {
  const where = `messages[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidRequestError(`${where}: expected an object (a message)`, { param: where });
  }
  const role = (raw as { role?: unknown }).role;
  if ((raw as { name?: unknown }).name) {
    warnOnce(state, 'messages.name', 'message names (participants) are not supported; ignored');
  }
  switch (role) {
    case 'system':
    case 'developer':
    case 'user': {
      const message = parse(role === 'user' ? UserMessage : SystemMessage, raw, where);
      const content = decodeParts(message.content, where, role, state);
      if (content.length > 0) state.items.push({ type: 'message', role, content });
      else state.warn({ feature: 'messages.empty', details: `${where}: no content left; dropped` });
      return;
    }
    case 'assistant':
      decodeAssistant(raw, i, where, state);
      return;
    case 'tool': {
      const message = parse(ToolMessage, raw, where);
      const output =
        typeof message.content === 'string'
          ? message.content
          : decodeParts(message.content, where, 'tool', state);
      state.items.push({ type: 'function_call_output', call_id: message.tool_call_id, output });
      return;
    }
    case 'function': {
      // The deprecated form: the answer to the latest unanswered legacy call of that name.
      const message = parse(FunctionMessage, raw, where);
      const call = state.legacy.find((c) => c.name === message.name && !c.answered);
      if (call) call.answered = true;
      else
        state.warn({
          feature: 'messages.function',
          details: `${where}: no function_call named "${message.name}" before it`,
        });
      const callId = call?.callId ?? `call_legacy_${i}`;
      state.items.push({ type: 'function_call_output', call_id: callId, output: message.content ?? '' });
      return;
    }
    default: {
      const got = role === undefined ? 'is required' : `unknown role ${JSON.stringify(role)}`;
      throw new InvalidRequestError(`${where}.role: ${got} (expected ${ROLES})`, { param: `${where}.role` });
    }
  }
}

/**
 * Decodes Chat Completions `messages` into canonical input items: system/developer/user messages
 * (text and `image_url` parts), one assistant message → its text, then one `function_call` per
 * `tool_calls` entry in order (Gemini's `extra_content` kept as provider data), `tool` messages →
 * `function_call_output`; the legacy `function_call` / `function` pair gets a generated call id.
 * Invalid messages throw an InvalidRequestError naming the path (`messages[2].tool_call_id: is
 * required (expected string)`); unsupported parts are dropped with a warning.
 *
 * @example
 * decodeChatMessages([{ role: 'user', content: 'hi' }]);
 */
export function decodeChatMessages(raw: unknown, onWarning?: WarningSink): InputItem[] {
  if (!Array.isArray(raw)) {
    const problem =
      raw === undefined ? 'is required (expected an array of messages)' : 'expected an array of messages';
    throw new InvalidRequestError(`messages: ${problem}`, { param: 'messages' });
  }
  if (raw.length === 0) {
    throw new InvalidRequestError('messages: must contain at least one message', { param: 'messages' });
  }
  const state: State = { items: [], legacy: [], warn: onWarning ?? (() => {}), warned: new Set() };
  raw.forEach((message, i) => {
    decodeMessage(message, i, state);
  });
  return state.items;
}
