import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { CanonicalResponse, OutputItem } from '../../core/response.js';
import { collectWarnings } from '../../core/warnings.js';
import { CodexStreamDecoder } from '../../providers/codex/decode-codex-stream.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { fixtureEvents, fixtureJson } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { isPackedReasoning, unpackReasoning } from '../opaque-reasoning.js';
import { openaiResponsesProtocol } from './index.js';
import type { RequestIssue } from './request-issues.js';

const context: EncodeContext = {
  request: { model: 'gpt-5.5', input: [] },
  requestedModel: 'gpt-5.5',
  requestId: 'req_rt',
};

function encode(events: readonly StreamEvent[]): string {
  const encoder = openaiResponsesProtocol.createStreamEncoder(context);
  return events.map((event) => encoder.event(event)).join('') + encoder.end();
}

/** nodex's own Responses decoder (the Codex provider's) reads what the gateway wrote. */
function decodeWithCodex(sse: string): StreamEvent[] {
  const { warnings, sink } = collectWarnings();
  const decoder = new CodexStreamDecoder({ onWarning: sink });
  const out: StreamEvent[] = [];
  for (const message of parseSseText(sse)) out.push(...decoder.push(JSON.parse(message.data)));
  out.push(...decoder.end());
  expect(warnings).toEqual([]);
  return out;
}

/** Reasoning ids aside (see below), the events are the same. */
function withoutReasoningIds(events: readonly StreamEvent[]): StreamEvent[] {
  return events.map((event) => {
    if (event.type !== 'reasoning_done') return event;
    const { id: _id, ...item } = event.item;
    return { ...event, item };
  });
}

/** An item as it travels: nodex tokens unpacked, ids (wire-made) left out. */
function content(item: OutputItem): OutputItem {
  if (item.type === 'reasoning' && isPackedReasoning(item.encrypted_content)) {
    const restored = unpackReasoning(item.encrypted_content);
    if (restored) return restored;
  }
  const { id: _id, ...rest } = item;
  return rest;
}

function same(response: CanonicalResponse) {
  return {
    status: response.status,
    finish_reason: response.finish_reason,
    output: response.output.map(content),
    output_text: response.output_text,
    usage: response.usage,
    error: response.error && { code: response.error.code, status: response.error.status },
  };
}

describe('hub round trip: canonical events → Responses SSE → nodex Codex decoder → canonical events', () => {
  it.each([
    'codex-text',
    'codex-reasoning-summary',
    'codex-tool-call',
    'codex-parallel-tool-calls',
    'codex-incomplete',
  ])('%s gives back the same events', (name) => {
    const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
    const decoded = decodeWithCodex(encode(events));
    // A reasoning item streamed before the upstream named it keeps the id the stream announced.
    expect(withoutReasoningIds(decoded)).toEqual(withoutReasoningIds(events));
  });

  it('keeps a reasoning id the stream knew when it announced the item', () => {
    const events = fixtureEvents<StreamEvent>('codex-tool-call.events.jsonl');
    const ids = (list: StreamEvent[]) =>
      list.flatMap((event) => (event.type === 'reasoning_done' ? [event.item.id] : []));
    expect(ids(decodeWithCodex(encode(events)))).toEqual(ids(events));
  });

  it.each([
    'anthropic-text',
    'anthropic-thinking',
    'anthropic-tool-use',
    'anthropic-parallel-tool-use',
    'anthropic-max-tokens',
    'chat-completions-parallel-tool-calls',
    'codex-failed',
    'codex-stream-error',
    'anthropic-stream-error',
  ])('%s gives back the same content (thinking unpacked with its signature)', (name) => {
    const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
    expect(same(accumulate(decodeWithCodex(encode(events))))).toEqual(same(accumulate(events)));
  });
});

describe('openaiResponsesProtocol', () => {
  function decode(body: unknown) {
    const issues: RequestIssue[] = [];
    return { ...openaiResponsesProtocol.decodeRequest(body, { onIssue: (i) => issues.push(i) }), issues };
  }

  it('decodes a Codex CLI body with store, include and previous_response_id as extras', () => {
    const { body } = fixtureJson<{ body: Record<string, unknown> }>('codex-request.json');
    const decoded = decode({ ...body, previous_response_id: 'resp_prev' });
    expect(decoded.issues).toEqual([]);
    expect(decoded.stream).toBe(true);
    expect(decoded.request.model).toBe(body.model);
    expect(decoded.extras).toEqual({
      store: false,
      previousResponseId: 'resp_prev',
      include: body.include,
    });
    expect(decode({ model: 'm', input: 'hi' }).extras).toEqual({ store: true }); // OpenAI's default
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'hi', 3]) expect(() => decode(body)).toThrow(InvalidRequestError);
  });

  it.each(['codex-text', 'codex-tool-call', 'anthropic-thinking', 'anthropic-parallel-tool-use'])(
    '%s: the output a client sends back decodes to the canonical output',
    (name) => {
      const response = accumulate(fixtureEvents<StreamEvent>(`${name}.events.jsonl`));
      const body = openaiResponsesProtocol.encodeResponse(response, {
        ...context,
        extras: { previousResponseId: 'resp_0', store: true },
      }) as { output: unknown[]; model: string; previous_response_id: string | null; store: boolean };
      expect(body).toMatchObject({ model: 'gpt-5.5', previous_response_id: 'resp_0', store: true });
      const next = decode({ model: 'gpt-5.5', input: body.output });
      expect(next.request.input.map((item) => content(item as OutputItem))).toEqual(
        response.output.map(content),
      );
    },
  );

  it('encodes errors in the OpenAI shape', () => {
    const encoded = openaiResponsesProtocol.encodeError(new InvalidRequestError('bad', { param: 'input' }), {
      requestId: 'req_1',
    });
    expect(encoded).toEqual({
      status: 400,
      body: {
        error: { message: 'bad', type: 'invalid_request_error', param: 'input', code: 'invalid_request' },
      },
    });
    expect(
      openaiResponsesProtocol.encodeError(new NodexError('upstream_overloaded', 'busy'), { requestId: 'r' })
        .status,
    ).toBe(503);
  });
});
