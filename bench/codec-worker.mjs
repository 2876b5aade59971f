#!/usr/bin/env node
// Scenario (d): codec throughput on one core, in-process, from the built dist/. The gateway's own
// path for a Chat client served by Codex: Codex SSE bytes → parseSse (eventsource-parser) →
// decodeSseJson → CodexStreamDecoder (canonical v1 events) → ChatStreamEncoder (chat.completion.chunk
// SSE text). Counted in upstream SSE events per second. Three workloads:
// - fixture: src/testing/fixtures/codex-text.sse (25 events: reasoning summary, text, large
//   created / completed events), one network chunk per event, a new decoder + encoder per stream;
// - long: one 1,000-delta text answer (the mock's Codex stream), one chunk per event;
// - codec only: the long answer's events pre-parsed to objects (decoder + encoder, no SSE parsing).
//
// `node bench/codec-worker.mjs [--seconds 3]` prints one JSON object on stdout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderAnswer } from './mock-upstream.mjs';

const root = join(import.meta.dirname, '..');
const dist = (path) => import(join(root, 'dist', path));
const { parseSse } = await dist('sse/parse-sse.js');
const { decodeSseJson } = await dist('sse/sse-json.js');
const { CodexStreamDecoder } = await dist('providers/codex/decode-codex-stream.js');
const { ChatStreamEncoder } = await dist('protocols/openai-chat/encode-stream.js');
const { decodeChatRequest } = await dist('protocols/openai-chat/decode-request.js');

const secondsIndex = process.argv.indexOf('--seconds');
const seconds = secondsIndex === -1 ? 3 : Number(process.argv[secondsIndex + 1]);

const { request } = decodeChatRequest(
  { model: 'gpt-5.5', messages: [{ role: 'user', content: 'Say hello.' }], stream: true },
  { onIssue: () => {} },
);
const context = {
  request,
  requestedModel: 'gpt-5.5',
  requestId: 'req_bench',
  extras: { includeUsage: true },
};

/** Splits SSE text into one Buffer per event (how a paced upstream's chunks arrive). */
function eventChunks(text) {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => Buffer.from(`${block}\n\n`));
}

async function* chunksOf(chunks) {
  for (const chunk of chunks) yield chunk;
}

/** One stream through the whole path; returns [upstream events, output bytes]. */
async function fullPath(chunks) {
  const decoder = new CodexStreamDecoder({ model: 'gpt-5.5' });
  const encoder = new ChatStreamEncoder(context);
  let events = 0;
  let bytes = 0;
  for await (const message of parseSse(chunksOf(chunks))) {
    const decoded = decodeSseJson(message);
    if (decoded.kind !== 'json') continue;
    events++;
    for (const event of decoder.push(decoded.value)) bytes += encoder.event(event).length;
  }
  for (const event of decoder.end()) bytes += encoder.event(event).length;
  bytes += encoder.end().length;
  return [events, bytes];
}

/** Decoder + encoder only, on pre-parsed payloads. */
function codecOnly(payloads) {
  const decoder = new CodexStreamDecoder({ model: 'gpt-5.5' });
  const encoder = new ChatStreamEncoder(context);
  let bytes = 0;
  for (const payload of payloads)
    for (const event of decoder.push(payload)) bytes += encoder.event(event).length;
  for (const event of decoder.end()) bytes += encoder.event(event).length;
  bytes += encoder.end().length;
  return [payloads.length, bytes];
}

async function measure(name, once) {
  // Warm-up: a quarter of the time, at least 200 ms.
  const warmUntil = performance.now() + Math.max(200, (seconds * 1000) / 4);
  while (performance.now() < warmUntil) await once();
  let events = 0;
  let bytes = 0;
  let streams = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    const [e, b] = await once();
    events += e;
    bytes += b;
    streams++;
  }
  const elapsed = (performance.now() - start) / 1000;
  return {
    name,
    events_per_s: events / elapsed,
    streams_per_s: streams / elapsed,
    output_mb_per_s: bytes / elapsed / 1e6,
    events_per_stream: events / streams,
  };
}

const fixture = eventChunks(readFileSync(join(root, 'src', 'testing', 'fixtures', 'codex-text.sse'), 'utf8'));
const long = renderAnswer('responses', 'gpt-5.5', true, false, { deltas: 1000, deltaSize: 4 });
const longChunks = eventChunks(long.head + long.deltas.join('') + long.tail);
const longPayloads = longChunks.flatMap((chunk) => {
  const data = /^data: (.*)$/m.exec(chunk.toString('utf8'))?.[1];
  return data === undefined ? [] : [JSON.parse(data)];
});

const results = [];
results.push(await measure('fixture codex-text.sse → chat chunks (full path)', () => fullPath(fixture)));
results.push(await measure('1,000-delta Codex stream → chat chunks (full path)', () => fullPath(longChunks)));
results.push(
  await measure('1,000-delta stream, decoder + encoder only', async () => codecOnly(longPayloads)),
);
process.stdout.write(`${JSON.stringify({ seconds, node: process.version, results })}\n`);
