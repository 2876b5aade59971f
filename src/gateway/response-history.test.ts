import { describe, expect, it } from 'vitest';
import { userText } from '../core/request.js';
import type { OutputItem } from '../core/response.js';
import { ResponseHistory } from './response-history.js';

const reply = (text: string): OutputItem => ({
  type: 'message',
  role: 'assistant',
  content: [{ type: 'text', text }],
});

describe('ResponseHistory', () => {
  it('rebuilds a conversation from its linked turns, oldest first', () => {
    const history = new ResponseHistory({ ttlMs: 60_000 });
    history.save('k', 'r1', { input: [userText('a')], output: [reply('A')] });
    history.save('k', 'r2', { previous: 'r1', input: [userText('b')], output: [reply('B')] });
    expect(history.chain('k', 'r2')).toEqual([userText('a'), reply('A'), userText('b'), reply('B')]);
    expect(history.chain('k', 'r1')).toEqual([userText('a'), reply('A')]);
  });

  it('is scoped by key, and a missing link anywhere in the chain is a miss', () => {
    const history = new ResponseHistory({ ttlMs: 60_000, maxTurns: 2 });
    history.save('k', 'r1', { input: [userText('a')], output: [] });
    history.save('k', 'r2', { previous: 'r1', input: [userText('b')], output: [] });
    expect(history.chain('other', 'r1')).toBeUndefined();
    history.save('k', 'r3', { previous: 'r2', input: [userText('c')], output: [] }); // evicts r1
    expect(history.size).toBe(2);
    expect(history.chain('k', 'r3')).toBeUndefined();
    expect(history.chain('k', 'r2')).toBeUndefined();
  });

  it('forgets turns unused for longer than the TTL, and stops at maxDepth on a cycle', () => {
    let now = 0;
    const history = new ResponseHistory({ ttlMs: 1000, now: () => now, maxDepth: 5 });
    history.save('k', 'r1', { input: [userText('a')], output: [] });
    now = 900;
    expect(history.chain('k', 'r1')).toHaveLength(1); // use refreshes it
    now = 1800;
    expect(history.chain('k', 'r1')).toHaveLength(1);
    now = 3000;
    expect(history.chain('k', 'r1')).toBeUndefined();

    history.save('k', 'x', { previous: 'y', input: [userText('x')], output: [] });
    history.save('k', 'y', { previous: 'x', input: [userText('y')], output: [] });
    expect(history.chain('k', 'x')).toHaveLength(5);
  });
});
