import type { InputItem } from '../../core/request.js';
import { partsText } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import type { AnthropicToolIds, AnthropicToolNames } from './anthropic-tool-ids.js';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicTextBlock } from './anthropic-wire.js';
import {
  assistantBlocks,
  hasText,
  thinkingBlock,
  toolResultBlock,
  userBlocks,
} from './convert-anthropic-content.js';

export interface ConvertedMessages {
  /** The caller's `system` / `developer` messages, in order, as system text blocks. */
  readonly system: AnthropicTextBlock[];
  readonly messages: AnthropicMessage[];
}

interface Draft {
  role: 'user' | 'assistant';
  content: AnthropicContentBlock[];
  /** tool_use ids of an assistant message, in order. */
  calls: string[];
  /** tool_result blocks answering `calls`, placed first in the next user message at the end. */
  results: AnthropicContentBlock[];
}

function parseInput(args: string, warn: WarningSink): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args.trim() === '' ? '{}' : args);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  warn({
    feature: 'input.function_call',
    details: 'a tool call’s arguments are not a JSON object; sent as {}',
  });
  return {};
}

/**
 * Canonical input → Messages `system` + `messages` (wire.md §7.2, §7.6, §7.8): system and developer
 * messages move to `system` (a mid-conversation one with a warning); consecutive same-role turns
 * merge; function calls become `tool_use` (ids sanitized) in the assistant turn, and every output
 * becomes a `tool_result` placed FIRST in the user message right after that assistant turn, all of
 * a turn's results in one message; a call with no output gets an error result and a warning; an
 * output with no call becomes text; reasoning with an Anthropic signature is replayed as a thinking
 * block, reasoning from other providers is dropped with a warning; empty text is never sent.
 *
 * @example
 * const { system, messages } = convertAnthropicMessages(request.input, ids, names, warn);
 */
export function convertAnthropicMessages(
  input: readonly InputItem[],
  ids: AnthropicToolIds,
  names: AnthropicToolNames,
  warn: WarningSink,
): ConvertedMessages {
  const system: AnthropicTextBlock[] = [];
  const drafts: Draft[] = [];
  const owner = new Map<string, Draft>();
  const answered = new Set<string>();
  let foreignReasoning = 0;
  const open = (role: Draft['role']): Draft => {
    const last = drafts.at(-1);
    if (last?.role === role) return last;
    const draft: Draft = { role, content: [], calls: [], results: [] };
    drafts.push(draft);
    return draft;
  };
  for (const item of input) {
    switch (item.type) {
      case 'message': {
        if (item.role === 'system' || item.role === 'developer') {
          const text = partsText(item.content);
          if (!hasText(text)) break;
          if (drafts.length > 0)
            warn({
              feature: 'input.system',
              details: `a mid-conversation ${item.role} message was moved to the system prompt`,
            });
          system.push({ type: 'text', text });
          break;
        }
        const blocks =
          item.role === 'user' ? userBlocks(item.content, warn) : assistantBlocks(item.content, warn);
        if (blocks.length) open(item.role).content.push(...blocks);
        break;
      }
      case 'reasoning': {
        const block = thinkingBlock(item);
        if (!block) {
          foreignReasoning += 1;
          break;
        }
        // Thinking goes first in its assistant turn (after earlier thinking), as Anthropic requires.
        const { content } = open('assistant');
        const at = content.findIndex((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
        content.splice(at === -1 ? content.length : at, 0, block);
        break;
      }
      case 'function_call': {
        const draft = open('assistant');
        const id = ids.toUpstream(item.call_id);
        draft.content.push({
          type: 'tool_use',
          id,
          name: names.toUpstream(item.name),
          input: parseInput(item.arguments, warn),
        });
        draft.calls.push(id);
        owner.set(id, draft);
        break;
      }
      case 'function_call_output': {
        const id = ids.toUpstream(item.call_id);
        const call = owner.get(id);
        if (!call) {
          warn({
            feature: 'input.function_call_output',
            details: `output for unknown call ${item.call_id} sent as text`,
          });
          const text = typeof item.output === 'string' ? item.output : partsText(item.output);
          open('user').content.push({
            type: 'text',
            text: `Tool result for call ${item.call_id}: ${text || '(empty)'}`,
          });
          break;
        }
        if (answered.has(id)) {
          warn({
            feature: 'input.function_call_output',
            details: `a second output for call ${item.call_id} was dropped`,
          });
          break;
        }
        answered.add(id);
        call.results.push(toolResultBlock(id, item.output, item.is_error, warn));
        // The output closes the assistant turn: later calls start a new one.
        if (drafts.at(-1) === call) open('user');
        break;
      }
    }
  }
  if (foreignReasoning)
    warn({
      feature: 'input.reasoning',
      details: `${foreignReasoning} reasoning item(s) without an Anthropic signature dropped (signatures cannot cross providers)`,
    });
  return { system, messages: assemble(drafts, answered, warn) };
}

/** Places each assistant turn's tool results first in the next user message (created if needed). */
function assemble(drafts: Draft[], answered: ReadonlySet<string>, warn: WarningSink): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  for (let i = 0; i < drafts.length; i++) {
    const draft = drafts[i] as Draft;
    if (draft.content.length) out.push({ role: draft.role, content: draft.content });
    if (draft.role !== 'assistant' || draft.calls.length === 0) continue;
    const results = [...draft.results];
    for (const id of draft.calls) {
      if (answered.has(id)) continue;
      warn({
        feature: 'input.function_call',
        details: `tool call ${id} has no output; sent an error result`,
      });
      results.push({
        type: 'tool_result',
        tool_use_id: id,
        content: 'No result was recorded for this call.',
        is_error: true,
      });
    }
    const next = drafts[i + 1];
    if (next?.role === 'user') next.content.unshift(...results);
    else out.push({ role: 'user', content: results });
  }
  return out;
}
