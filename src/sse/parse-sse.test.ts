import { describe, expect, it } from 'vitest';
import { NodexError } from '../core/errors.js';
import { fixtureText } from '../testing/fixtures.js';
import { MAX_SSE_EVENT_BYTES, parseSse, parseSseChunks, parseSseText, type SseMessage } from './parse-sse.js';
import { decodeSseJson } from './sse-json.js';
import { formatSse, formatSseComment, SSE_DONE, SSE_KEEP_ALIVE } from './write-sse.js';

async function collect(chunks: readonly (string | Uint8Array)[]): Promise<SseMessage[]> {
  async function* source() {
    yield* chunks;
  }
  const out: SseMessage[] = [];
  for await (const message of parseSse(source())) out.push(message);
  return out;
}

describe('parseSse', () => {
  it('skips comments and unknown fields, keeps event names and ids', async () => {
    const text = ': keep-alive\n\nfoo: bar\nevent: ping\nid: 7\ndata: {"type":"ping"}\n\n: another comment\n';
    expect(await collect([text])).toEqual([{ event: 'ping', id: '7', data: '{"type":"ping"}' }]);
  });

  it('handles \\r\\n and bare \\r line ends', async () => {
    expect(await collect(['data: a\r\n\r\ndata: b\r\rdata: c\n\n'])).toEqual([
      { data: 'a' },
      { data: 'b' },
      { data: 'c' },
    ]);
  });

  it('reassembles events split across chunks, including inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('data: {"t":"héllo ✓"}\n\n');
    const cut = bytes.indexOf(0xe2); // first byte of ✓ (3 bytes)
    const parts = [bytes.slice(0, 3), bytes.slice(3, cut + 1), bytes.slice(cut + 1)];
    const [message] = await collect(parts);
    expect(JSON.parse(message?.data ?? '')).toEqual({ t: 'héllo ✓' });
  });

  it('joins multi-line data with newlines and accepts data without a space after the colon', async () => {
    expect(await collect(['data:line one\ndata: line two\n\n'])).toEqual([{ data: 'line one\nline two' }]);
  });

  it('dispatches a final event that has no trailing blank line', async () => {
    expect(await collect(['data: first\n\ndata: last'])).toEqual([{ data: 'first' }, { data: 'last' }]);
  });

  it('fails with upstream_protocol on an event larger than the limit', async () => {
    const huge = `data: ${'x'.repeat(MAX_SSE_EVENT_BYTES + 10)}`;
    await expect(collect([huge])).rejects.toSatisfy(
      (e) => NodexError.isInstance(e) && e.code === 'upstream_protocol',
    );
  });

  it('parses every fixture: event names match data.type, every data line is JSON or [DONE]', () => {
    for (const name of [
      'codex-text.sse',
      'codex-tool-call.sse',
      'anthropic-text.sse',
      'anthropic-tool-use.sse',
      'chat-completions-text.sse',
    ]) {
      const messages = parseSseText(fixtureText(name));
      expect(messages.length).toBeGreaterThan(3);
      for (const message of messages) {
        const decoded = decodeSseJson(message);
        expect(decoded.kind === 'json' || decoded.kind === 'done').toBe(true);
        if (decoded.kind === 'json' && message.event)
          expect((decoded.value as { type: string }).type).toBe(message.event);
      }
    }
  });
});

async function collectChunks(chunks: readonly (string | Uint8Array)[]): Promise<SseMessage[][]> {
  async function* source() {
    yield* chunks;
  }
  const out: SseMessage[][] = [];
  for await (const messages of parseSseChunks(source())) out.push(messages);
  return out;
}

describe('parseSseChunks', () => {
  it('yields every event of one network chunk as one array, in order', async () => {
    const text = Array.from({ length: 100 }, (_, i) => `event: e${i}\ndata: {"n":${i}}\n\n`).join('');
    const batches = await collectChunks([new TextEncoder().encode(text)]);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(
      Array.from({ length: 100 }, (_, i) => ({ event: `e${i}`, data: `{"n":${i}}` })),
    );
  });

  it('reassembles an event split across chunks (inside a multi-byte character too), with the chunk that completes it', async () => {
    const bytes = new TextEncoder().encode('data: a\n\ndata: {"t":"héllo ✓"}\n\ndata: b\n\n');
    const cut = bytes.indexOf(0xe2) + 1; // inside ✓ (3 bytes)
    const batches = await collectChunks([bytes.slice(0, 12), bytes.slice(12, cut), bytes.slice(cut)]);
    // The first chunk completes `a`; the second completes nothing (no empty batch); the third the rest.
    expect(batches).toEqual([[{ data: 'a' }], [{ data: '{"t":"héllo ✓"}' }, { data: 'b' }]]);
  });

  it('gives the same events as parseSse for every fixture, cut into odd-sized chunks', async () => {
    for (const name of ['codex-text.sse', 'anthropic-text.sse', 'chat-completions-text.sse']) {
      const bytes = new TextEncoder().encode(fixtureText(name));
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += 37) chunks.push(bytes.slice(at, at + 37));
      expect((await collectChunks(chunks)).flat()).toEqual(await collect(chunks));
    }
  });

  it('dispatches a final event without its blank line and fails on an oversized event', async () => {
    expect(await collectChunks(['data: first\n\ndata: la', 'st'])).toEqual([
      [{ data: 'first' }],
      [{ data: 'last' }],
    ]);
    const huge = `data: ${'x'.repeat(MAX_SSE_EVENT_BYTES + 10)}`;
    await expect(collectChunks([huge])).rejects.toSatisfy(
      (e) => NodexError.isInstance(e) && e.code === 'upstream_protocol',
    );
  });
});

describe('decodeSseJson', () => {
  it('reads [DONE], tolerates trailing spaces, and reports invalid JSON instead of throwing', () => {
    expect(decodeSseJson({ data: '[DONE]' })).toEqual({ kind: 'done' });
    expect(decodeSseJson({ data: ' [DONE] ' })).toEqual({ kind: 'done' });
    expect(decodeSseJson({ data: '{"type": "ping"}   ', event: 'ping' })).toEqual({
      kind: 'json',
      value: { type: 'ping' },
      event: 'ping',
    });
    const bad = decodeSseJson({ data: '{"a":' });
    expect(bad.kind).toBe('invalid');
    expect(decodeSseJson({ data: '' }).kind).toBe('invalid');
  });
});

describe('SSE writer', () => {
  it('formats frames the parser reads back exactly', () => {
    const text =
      formatSse({ type: 'ping' }, 'ping') +
      formatSse('two\nlines') +
      formatSseComment('note\nhere') +
      SSE_KEEP_ALIVE +
      SSE_DONE;
    expect(text).toContain(': note here\n\n');
    expect(parseSseText(text)).toEqual([
      { event: 'ping', data: '{"type":"ping"}' },
      { data: 'two\nlines' },
      { data: '[DONE]' },
    ]);
  });
});
