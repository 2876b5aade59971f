import type { z } from 'zod';
import { InvalidRequestError } from '../../core/errors.js';
import type { ContentPart, InputItem, MessageItem } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import { isPackedReasoning, unpackReasoning } from '../opaque-reasoning.js';
import {
  FunctionCallOutputSchema,
  FunctionCallSchema,
  ImagePartSchema,
  MessageSchema,
  ReasoningSchema,
  RefusalPartSchema,
  TextPartSchema,
} from './input-schemas.js';

export interface DecodeInputOptions {
  /** Where to report dropped items and parts. */
  readonly onWarning?: WarningSink;
  /** Unknown item types are an error (exec) instead of a dropped item with a warning (gateway). */
  readonly strict?: boolean;
  /** Name of the field, for messages (`input`, `--input-json`). */
  readonly field?: string;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

/** `at.path: problem`, worded for people (`is required` rather than `received undefined`). */
function invalid(at: string, error: z.ZodError, param: string): InvalidRequestError {
  const issue = error.issues[0];
  const where = `${at}${issue ? issuePath(issue.path) : ''}`;
  let message = issue ? issue.message.replace(/^Invalid input: /, '') : 'invalid value';
  message = message.replace(/^expected (.+), received undefined$/, 'is required (expected $1)');
  return new InvalidRequestError(`${where}: ${message}`, { param });
}

function decodeParts(
  parts: string | readonly { type: string }[],
  where: string,
  options: DecodeInputOptions,
  field: string,
  index: number,
): ContentPart[] {
  if (typeof parts === 'string') return [{ type: 'text', text: parts }];
  const out: ContentPart[] = [];
  parts.forEach((part, partIndex) => {
    const at = `${where}.content[${partIndex}]`;
    const fail = (error: z.ZodError) => invalid(at, error, `${field}[${index}]`);
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'text': {
        const parsed = TextPartSchema.safeParse(part);
        if (!parsed.success) throw fail(parsed.error);
        out.push({ type: 'text', text: parsed.data.text });
        return;
      }
      case 'refusal': {
        const parsed = RefusalPartSchema.safeParse(part);
        if (!parsed.success) throw fail(parsed.error);
        out.push({ type: 'text', text: parsed.data.refusal });
        return;
      }
      case 'input_image': {
        const parsed = ImagePartSchema.safeParse(part);
        if (!parsed.success) throw fail(parsed.error);
        if (!parsed.data.image_url) {
          options.onWarning?.({
            feature: 'input_image.file_id',
            details: `${at}: images by file_id are not supported; dropped`,
          });
          return;
        }
        out.push({
          type: 'image',
          image_url: parsed.data.image_url,
          ...(parsed.data.detail ? { detail: parsed.data.detail } : {}),
        });
        return;
      }
      default:
        options.onWarning?.({
          feature: `content.${part.type}`,
          details: `${at}: content type "${part.type}" is not supported; dropped`,
        });
    }
  });
  return out;
}

function decodeItem(raw: unknown, index: number, options: DecodeInputOptions): InputItem | undefined {
  const field = options.field ?? 'input';
  const where = `${field}[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidRequestError(`${where}: expected an object (an input item)`, { param: where });
  }
  const type = (raw as { type?: unknown }).type;
  if (type === undefined || type === 'message') {
    const parsed = MessageSchema.safeParse(raw);
    if (!parsed.success) throw invalid(where, parsed.error, where);
    const message: MessageItem = {
      type: 'message',
      role: parsed.data.role,
      content: decodeParts(parsed.data.content, where, options, field, index),
      ...(parsed.data.id ? { id: parsed.data.id } : {}),
    };
    return message;
  }
  switch (type) {
    case 'function_call': {
      const parsed = FunctionCallSchema.safeParse(raw);
      if (!parsed.success) throw invalid(where, parsed.error, where);
      const { call_id, name, arguments: args, id } = parsed.data;
      return { type: 'function_call', call_id, name, arguments: args, ...(id ? { id } : {}) };
    }
    case 'function_call_output': {
      const parsed = FunctionCallOutputSchema.safeParse(raw);
      if (!parsed.success) throw invalid(where, parsed.error, where);
      const output =
        typeof parsed.data.output === 'string'
          ? parsed.data.output
          : decodeParts(parsed.data.output, where, options, field, index);
      return { type: 'function_call_output', call_id: parsed.data.call_id, output };
    }
    case 'reasoning': {
      const parsed = ReasoningSchema.safeParse(raw);
      if (!parsed.success) throw invalid(where, parsed.error, where);
      const encrypted = parsed.data.encrypted_content ?? undefined;
      if (isPackedReasoning(encrypted)) {
        // Reasoning of another provider that nodex handed out as an opaque token: restore it.
        const restored = unpackReasoning(encrypted, parsed.data.id);
        if (!restored)
          options.onWarning?.({
            feature: 'input.reasoning',
            details: `${where}: a damaged nodex reasoning token; dropped`,
          });
        return restored;
      }
      const text = parsed.data.content?.map((part) => part.text).join('') ?? '';
      return {
        type: 'reasoning',
        summary: parsed.data.summary.map((part) => part.text),
        ...(parsed.data.id ? { id: parsed.data.id } : {}),
        ...(text ? { text } : {}),
        ...(parsed.data.encrypted_content ? { encrypted_content: parsed.data.encrypted_content } : {}),
      };
    }
    default: {
      const name = typeof type === 'string' ? type : JSON.stringify(type);
      if (options.strict) {
        throw new InvalidRequestError(
          `${where}.type: unknown item type "${name}" (expected message, function_call, function_call_output or reasoning)`,
          { param: where },
        );
      }
      options.onWarning?.({
        feature: `input.${name}`,
        details: `${where}: item type "${name}" is not supported; dropped`,
      });
      return undefined;
    }
  }
}

/**
 * Decodes Responses API `input` (a string, one item, or an array of items) into canonical items.
 * Invalid items throw an InvalidRequestError naming the index and the problem
 * (`input[2].call_id: expected string, received undefined`).
 *
 * @example
 * decodeResponsesInput([{ role: 'user', content: 'hi' }]);
 */
export function decodeResponsesInput(input: unknown, options: DecodeInputOptions = {}): InputItem[] {
  const field = options.field ?? 'input';
  if (typeof input === 'string')
    return [{ type: 'message', role: 'user', content: [{ type: 'text', text: input }] }];
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const item = decodeItem(input, 0, options);
    return item ? [item] : [];
  }
  if (!Array.isArray(input)) {
    throw new InvalidRequestError(`${field}: expected a string or an array of input items`, { param: field });
  }
  const out: InputItem[] = [];
  input.forEach((raw, index) => {
    const item = decodeItem(raw, index, options);
    if (item) out.push(item);
  });
  return out;
}
