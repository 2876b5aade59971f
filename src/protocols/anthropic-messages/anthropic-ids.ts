import { z } from 'zod';
import type { ProviderData } from '../../core/provider-data.js';

/** Anthropic's rule for `tool_use` ids (wire.md §7.3). */
const ANTHROPIC_TOOL_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * Ids nodex encodes start with `toolu_nx`; what follows the full prefix is base64url, whose alphabet
 * is exactly Anthropic's id charset. The mapping needs no state (the gateway is stateless: the
 * client sends the id back in a later request), and it is a bijection: a valid upstream id that
 * happens to start with `toolu_nx` is encoded too.
 */
const MARK = 'toolu_nx';
/** base64url(the call id), for ids outside Anthropic's charset (`call.1`, `fc:abc`, ''). */
export const ENCODED_TOOL_ID_PREFIX = 'toolu_nx_';
/** base64url(JSON [call id, provider_data]), for calls that carry provider data (Gemini's thought signature). */
export const DATA_TOOL_ID_PREFIX = 'toolu_nxd_';

const Packed = z.tuple([z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))]);

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const unbase64url = (text: string): string => Buffer.from(text, 'base64url').toString('utf8');

/** A call id restored from a `tool_use` id, with the provider data it carried. */
export interface RestoredToolId {
  readonly callId: string;
  readonly providerData?: ProviderData;
}

/**
 * A canonical call as an Anthropic `tool_use` id. Valid ids (`call_…`, `toolu_…`, Gemini's short
 * ids) pass unchanged; other ids become `toolu_nx_` + base64url(id). A call with `provider_data`
 * (Gemini's `thought_signature`, which Gemini needs back on the next turn: wire.md §6.3) carries it
 * in the id, as LiteLLM does: `toolu_nxd_` + base64url(JSON [id, provider_data]); Claude Code keeps
 * ids verbatim, so it comes back with the `tool_use` block.
 *
 * @example
 * toAnthropicToolId('call_abc'); // 'call_abc'
 * toAnthropicToolId('call.1'); // 'toolu_nx_Y2FsbC4x'
 */
export function toAnthropicToolId(callId: string, providerData?: ProviderData): string {
  if (providerData && Object.keys(providerData).length > 0)
    return `${DATA_TOOL_ID_PREFIX}${base64url(JSON.stringify([callId, providerData]))}`;
  if (ANTHROPIC_TOOL_ID.test(callId) && !callId.startsWith(MARK)) return callId;
  return `${ENCODED_TOOL_ID_PREFIX}${base64url(callId)}`;
}

function restoreData(id: string): RestoredToolId | undefined {
  try {
    const parsed = Packed.safeParse(JSON.parse(unbase64url(id.slice(DATA_TOOL_ID_PREFIX.length))));
    if (!parsed.success) return undefined;
    const [callId, providerData] = parsed.data;
    return { callId, providerData: providerData as ProviderData };
  } catch {
    return undefined;
  }
}

/**
 * The canonical call for an id a client sends back (`tool_use.id`, `tool_result.tool_use_id`): the
 * inverse of `toAnthropicToolId`. Ids nodex did not make pass unchanged.
 *
 * @example
 * fromAnthropicToolId('toolu_nx_Y2FsbC4x'); // { callId: 'call.1' }
 */
export function fromAnthropicToolId(id: string): RestoredToolId {
  if (id.startsWith(DATA_TOOL_ID_PREFIX)) {
    const restored = restoreData(id);
    if (restored) return restored;
  } else if (id.startsWith(ENCODED_TOOL_ID_PREFIX)) {
    const decoded = unbase64url(id.slice(ENCODED_TOOL_ID_PREFIX.length));
    // Only a value toAnthropicToolId really produced decodes; anything else is the client's own id.
    if (toAnthropicToolId(decoded) === id) return { callId: decoded };
  }
  return { callId: id };
}

/**
 * A Message id (`msg_…`) for a canonical response id: Anthropic ids pass unchanged; others keep
 * their body (`resp_abc` → `msg_abc`, `chatcmpl-x` → `msg_x`); no id at all uses the request id.
 *
 * @example
 * anthropicMessageId('resp_123', 'req_1'); // 'msg_123'
 */
export function anthropicMessageId(responseId: string, requestId: string): string {
  if (responseId.startsWith('msg_')) return responseId;
  const body = responseId.replace(/^[a-z]+[_-]/i, '') || requestId.replace(/^[a-z]+[_-]/i, '');
  return `msg_${body || 'nodex'}`;
}
