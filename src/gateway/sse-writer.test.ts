import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { SseWriter } from './sse-writer.js';

/** A ServerResponse stand-in whose socket buffer is "full" until the test drains it. */
class FakeResponse extends EventEmitter {
  readonly written: string[] = [];
  full = false;
  destroyed = false;
  writableEnded = false;
  write(text: string): boolean {
    this.written.push(text);
    return !this.full;
  }
  end(text: string): void {
    if (text) this.written.push(text);
    this.writableEnded = true;
  }
  asResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}

describe('SseWriter', () => {
  it('waits for drain when the socket is full, instead of buffering without bound', async () => {
    const raw = new FakeResponse();
    const writer = new SseWriter(raw.asResponse(), 0);
    raw.full = true;
    let done = false;
    const pending = writer.write('data: 1\n\n').then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    raw.emit('drain');
    await pending;
    expect(done).toBe(true);
  });

  it('stops waiting and reports closed when the client goes away', async () => {
    const raw = new FakeResponse();
    const writer = new SseWriter(raw.asResponse(), 0);
    raw.full = true;
    const pending = writer.write('data: 1\n\n');
    raw.emit('close');
    await pending;
    expect(writer.closed).toBe(true);
    await writer.write('data: 2\n\n');
    writer.end('data: [DONE]\n\n');
    expect(raw.written).toEqual(['data: 1\n\n']);
  });

  it('sends a keep-alive comment after each quiet interval, and none once ended', () => {
    vi.useFakeTimers();
    try {
      const raw = new FakeResponse();
      const writer = new SseWriter(raw.asResponse(), 1000);
      vi.advanceTimersByTime(999);
      expect(raw.written).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(raw.written).toEqual([': keep-alive\n\n']);
      void writer.write('data: x\n\n');
      vi.advanceTimersByTime(500); // a write re-arms the timer
      expect(raw.written).toHaveLength(2);
      vi.advanceTimersByTime(500);
      expect(raw.written).toHaveLength(3);
      writer.end();
      vi.advanceTimersByTime(5000);
      expect(raw.written).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('SseWriter listeners', () => {
  it('leaves no drain or close listener behind after many waits', async () => {
    const raw = new FakeResponse();
    const writer = new SseWriter(raw.asResponse(), 0);
    const before = raw.listenerCount('close');
    raw.full = true;
    for (let i = 0; i < 50; i++) {
      const pending = writer.write(`data: ${i}\n\n`);
      raw.emit('drain');
      await pending;
    }
    expect(raw.listenerCount('drain')).toBe(0);
    expect(raw.listenerCount('close')).toBe(before);
    expect(raw.listenerCount('error')).toBe(0);
  });
});
