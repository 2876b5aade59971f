// The bench's own client for the sequential and streaming scenarios: one keep-alive undici Client
// per target, timings from performance.now().
import { performance } from 'node:perf_hooks';
import { Agent, Client, request } from 'undici';
import { requestBody } from './targets.mjs';

/** One keep-alive connection to a target's origin. */
export function connect(target) {
  return new Client(target.origin, { keepAliveTimeout: 120_000, pipelining: 1 });
}

/**
 * One whole request (non-streaming): milliseconds from send to the last body byte.
 *
 * @returns {Promise<{ ms: number, status: number }>}
 */
export async function timedRequest(client, target, body) {
  const start = performance.now();
  const response = await client.request({ path: target.path, method: 'POST', headers: target.headers, body });
  await response.body.arrayBuffer();
  return { ms: performance.now() - start, status: response.statusCode };
}

/** Whether one SSE event (its data, parsed) carries answer text in the target's protocol. */
function isContent(protocol, data) {
  if (protocol === 'chat') {
    const content = data?.choices?.[0]?.delta?.content;
    return typeof content === 'string' && content !== '';
  }
  if (protocol === 'responses') return data?.type === 'response.output_text.delta';
  return data?.type === 'content_block_delta' && data?.delta?.type === 'text_delta';
}

/**
 * One streamed answer: time to the first text delta (TTFT), the gaps between text deltas, and the
 * time to the last byte. Events are split on blank lines and their data parsed as JSON.
 *
 * @returns {Promise<{ status: number, ttft?: number, gaps: number[], total: number, deltas: number }>}
 */
export async function timedStream(dispatcher, target, body) {
  const start = performance.now();
  const response = await request(`${target.origin}${target.path}`, {
    method: 'POST',
    headers: target.headers,
    body,
    dispatcher,
  });
  let buffer = '';
  let ttft;
  let last;
  let deltas = 0;
  const gaps = [];
  for await (const chunk of response.body) {
    const now = performance.now();
    buffer += chunk.toString('utf8');
    let cut = buffer.indexOf('\n\n');
    while (cut !== -1) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
      let data = '';
      for (const line of block.split('\n')) if (line.startsWith('data:')) data += line.slice(5).trim();
      if (data === '' || data === '[DONE]') continue;
      let parsed;
      try {
        parsed = JSON.parse(data);
      } catch {
        continue;
      }
      if (!isContent(target.protocol, parsed)) continue;
      deltas++;
      if (ttft === undefined) ttft = now - start;
      else gaps.push(now - (last ?? now));
      last = now;
    }
  }
  return { status: response.statusCode, ttft, gaps, total: performance.now() - start, deltas };
}

/** A dispatcher for many simultaneous streams (one connection each). */
export function streamAgent(connections) {
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 120_000,
    bodyTimeout: 0,
    headersTimeout: 0,
  });
}

/** The request body as JSON text for a target. */
export function bodyFor(target, stream) {
  return JSON.stringify(requestBody(target.protocol, target.model, stream));
}
