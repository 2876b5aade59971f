import { Agent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { type FakeUpstream, startFakeUpstream } from '../../testing/fake-upstream.js';
import { readChatSse, readChatSseCursor } from '../openai-compatible/read-chat-sse.js';
import { sendUpstream } from './send-upstream.js';
import { readSseJson, readSseJsonCursor } from './upstream-sse.js';

let fake: FakeUpstream | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.close();
  await fake?.close();
  agent = undefined;
  fake = undefined;
});

const frames = (count: number, done: boolean): string[] => [
  ...Array.from({ length: count }, (_, i) => `data: {"n":${i}}\n\n`),
  ...(done ? ['data: [DONE]\n\n'] : []),
];

async function setup(sse: readonly string[], frameIntervalMs = 0): Promise<FakeUpstream> {
  fake = await startFakeUpstream([{ path: '/sse', reply: { sse, pacing: { frameIntervalMs } } }]);
  agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
  return fake;
}

function open(upstream: FakeUpstream, signal?: AbortSignal) {
  return sendUpstream({
    url: `${upstream.url}/sse`,
    headers: {},
    body: '{}',
    provider: 'test',
    ...(signal ? { signal } : {}),
    ...(agent ? { dispatcher: agent } : {}),
  });
}

describe('readSseJson: releasing the upstream connection', () => {
  it('keeps the keep-alive connection after [DONE] (the rest of the body is drained, not destroyed)', async () => {
    const upstream = await setup(frames(3, true));
    for (let i = 0; i < 5; i++) {
      const response = await open(upstream);
      const seen: unknown[] = [];
      for await (const event of readSseJson(response, { provider: 'test' })) seen.push(event.data);
      expect(seen).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
      await vi.waitFor(() => expect(response.body.closed).toBe(true));
    }
    expect(upstream.connections()).toBe(1);
    expect(upstream.abandoned()).toBe(0);
  });

  it('keeps the connection when the consumer stops after the terminal event (`finished`)', async () => {
    const upstream = await setup(frames(3, false));
    for (let i = 0; i < 5; i++) {
      const response = await open(upstream);
      let last: unknown;
      const sse = readSseJson(response, { provider: 'test', finished: () => last !== undefined });
      for await (const event of sse) {
        if ((event.data as { n: number }).n === 2) {
          last = event.data;
          break; // the decoder has its terminal event: the consumer leaves before the body ends
        }
      }
      await vi.waitFor(() => expect(response.body.closed).toBe(true));
    }
    expect(upstream.connections()).toBe(1);
    expect(upstream.abandoned()).toBe(0);
  });

  it('a consumer that leaves mid-stream still cancels the upstream call at once', async () => {
    const upstream = await setup(frames(200, true), 20);
    const response = await open(upstream);
    for await (const event of readSseJson(response, { provider: 'test', finished: () => false })) {
      if ((event.data as { n: number }).n === 1) break;
    }
    expect(response.body.destroyed).toBe(true);
    await vi.waitFor(() => expect(upstream.abandoned()).toBe(1));
  });

  it('an aborted caller cancels the upstream call and reads as `aborted`', async () => {
    const upstream = await setup(frames(200, true), 20);
    const controller = new AbortController();
    const response = await open(upstream, controller.signal);
    const sse = readSseJson(response, { provider: 'test' });
    await sse.next();
    controller.abort();
    const failure = await sse.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(NodexError.isInstance(failure) && failure.code).toBe('aborted');
    await vi.waitFor(() => expect(upstream.abandoned()).toBe(1));
  });
});

describe('readChatSse: releasing the upstream connection', () => {
  it('keeps the keep-alive connection after [DONE], also when the consumer stops at the done item', async () => {
    const upstream = await setup(frames(2, true));
    for (let i = 0; i < 4; i++) {
      const response = await open(upstream);
      const kinds: string[] = [];
      for await (const item of readChatSse(response, { provider: 'test' })) {
        kinds.push(item.kind);
        if (item.kind === 'done') break;
      }
      expect(kinds).toEqual(['chunk', 'chunk', 'done']);
      await vi.waitFor(() => expect(response.body.closed).toBe(true));
    }
    expect(upstream.connections()).toBe(1);
    expect(upstream.abandoned()).toBe(0);
  });

  it('a consumer that leaves mid-stream cancels the upstream call', async () => {
    const upstream = await setup(frames(200, true), 20);
    const response = await open(upstream);
    for await (const item of readChatSse(response, { provider: 'test' })) if (item.kind === 'chunk') break;
    expect(response.body.destroyed).toBe(true);
    await vi.waitFor(() => expect(upstream.abandoned()).toBe(1));
  });
});

describe('reading per network chunk', () => {
  // One frame (one write, one chunk) carrying 50 events, then an event split over two paced writes.
  const many = frames(50, false).join('');
  const split = ['event: last\ndata: {"n"', ':"split"}\n\n'];

  it('readSseJsonCursor: one await gives a whole chunk, taken in order; a split event is reassembled', async () => {
    const upstream = await setup([many, ...split, 'data: [DONE]\n\n'], 15);
    const response = await open(upstream);
    const onEvent = vi.fn();
    const sse = readSseJsonCursor(response, { provider: 'test', onEvent });
    const seen: unknown[] = [];
    const first = await sse.next();
    if (!first.done) seen.push(first.value.data);
    for (let item = sse.shift(); item && !item.done; item = sse.shift()) seen.push(item.value.data);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, n) => ({ n })));
    const last = await sse.next();
    expect(last.done ? undefined : last.value).toEqual({ event: 'last', data: { n: 'split' } });
    expect(sse.shift()).toBeUndefined();
    expect((await sse.next()).done).toBe(true);
    expect(onEvent).toHaveBeenCalledTimes(51);
    await sse.return();
    await vi.waitFor(() => expect(response.body.closed).toBe(true));
    expect(upstream.abandoned()).toBe(0);
  });

  it('readSseJson and readChatSse yield the same events, in order, from batched chunks', async () => {
    const upstream = await setup([many, ...split, 'data: [DONE]\n\n'], 15);
    const expected = [...Array.from({ length: 50 }, (_, n) => ({ n })), { n: 'split' }];
    const seen: unknown[] = [];
    for await (const event of readSseJson(await open(upstream), { provider: 'test' })) seen.push(event.data);
    expect(seen).toEqual(expected);
    const items: unknown[] = [];
    for await (const item of readChatSse(await open(upstream), { provider: 'test' }))
      items.push(item.kind === 'chunk' ? item.data : item.kind);
    expect(items).toEqual([...expected, 'done']);
    expect(upstream.abandoned()).toBe(0);
  });

  it('stops at [DONE] inside a chunk and keeps the connection', async () => {
    const upstream = await setup([`${frames(3, true).join('')}data: {"n":"after"}\n\n`]);
    for (let i = 0; i < 3; i++) {
      const response = await open(upstream);
      const sse = readChatSseCursor(response, { provider: 'test' });
      const items: unknown[] = [];
      for (;;) {
        const next = sse.shift() ?? (await sse.next());
        if (next.done) break;
        items.push(next.value.kind === 'chunk' ? next.value.data : 'done');
      }
      expect(items).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, 'done']);
      await sse.return();
      await vi.waitFor(() => expect(response.body.closed).toBe(true));
    }
    expect(upstream.connections()).toBe(1);
    expect(upstream.abandoned()).toBe(0);
  });

  it('a consumer that leaves in the middle of a chunk cancels the upstream call', async () => {
    const upstream = await setup([many, ...frames(200, true)], 20);
    const response = await open(upstream);
    const sse = readSseJsonCursor(response, { provider: 'test', finished: () => false });
    await sse.next();
    sse.shift();
    await sse.return();
    expect(response.body.destroyed).toBe(true);
    await vi.waitFor(() => expect(upstream.abandoned()).toBe(1));
  });
});
