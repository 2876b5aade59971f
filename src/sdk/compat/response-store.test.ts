import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CompatStore, type CompatStoreOptions } from './compat-store.js';
import type { JsonValue } from './types.js';

const DAY = 86_400_000;
let now = Date.UTC(2025, 0, 1);
const opened: { store: CompatStore; dir: string }[] = [];
function open(options: CompatStoreOptions = {}): CompatStore {
  const dir = mkdtempSync(join(tmpdir(), 'nodex-compat-resp-'));
  const store = CompatStore.open({ compatStorageDir: dir, clock: () => now, ...options });
  opened.push({ store, dir });
  return store;
}
afterEach(() => {
  for (const { store, dir } of opened.splice(0)) {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  now = Date.UTC(2025, 0, 1);
});

const user = (text: string): JsonValue => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text }],
});
const reply = (text: string): JsonValue => ({
  type: 'message',
  role: 'assistant',
  content: [{ type: 'output_text', text }],
});

async function conversation(store: CompatStore, prefix: string, turns: number): Promise<JsonValue[][]> {
  const items: JsonValue[][] = [];
  for (let turn = 1; turn <= turns; turn += 1) {
    const input = [user(`${prefix} question ${turn}`)];
    const output = [reply(`${prefix} answer ${turn}`)];
    await store.responses.save({
      id: `${prefix}_${turn}`,
      model: 'gpt-5',
      input,
      output,
      previous_response_id: turn === 1 ? null : `${prefix}_${turn - 1}`,
    });
    items.push(input, output);
  }
  return items;
}

describe('response store', () => {
  it('rebuilds a 3-turn chain in order while storing each item once', async () => {
    const store = open();
    const items = await conversation(store, 'resp', 3);
    expect(await store.responses.chain('resp_3')).toEqual(items.flat());
    expect(await store.responses.chain('resp_2')).toEqual(items.slice(0, 4).flat());
    // Three rows whose sizes add up to each turn's own items: no history copied into later rows.
    const ownBytes = [0, 1, 2].reduce(
      (sum, turn) =>
        sum + JSON.stringify(items[turn * 2]).length + JSON.stringify(items[turn * 2 + 1]).length,
      0,
    );
    expect(store.responses.stats()).toEqual({ responses: 3, bytes: ownBytes });
    expect(await store.responses.retrieve('resp_3')).toMatchObject({
      id: 'resp_3',
      object: 'response',
      model: 'gpt-5',
      previous_response_id: 'resp_2',
      instructions: null,
      input: items[4],
      output: items[5],
    });
  });

  it('strips a resent history from the input instead of storing it again', async () => {
    const store = open();
    const items = await conversation(store, 'r', 2);
    const fresh = [user('third question')];
    await store.responses.save({
      id: 'r_3',
      model: 'gpt-5',
      input: [...items.flat(), ...fresh],
      output: [reply('third answer')],
      previous_response_id: 'r_2',
    });
    expect((await store.responses.retrieve('r_3')).input).toEqual(fresh);
    expect(await store.responses.chain('r_3')).toEqual([...items.flat(), ...fresh, reply('third answer')]);
  });

  it('answers unknown or broken chains with not_found', async () => {
    const store = open();
    await expect(store.responses.chain('resp_nope')).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      store.responses.save({ id: 'x', model: 'm', input: [], output: [], previous_response_id: 'resp_nope' }),
    ).rejects.toMatchObject({ code: 'not_found', message: 'response "resp_nope" not found' });
    await conversation(store, 'c', 3);
    expect(await store.responses.delete('c_2')).toEqual({ id: 'c_2', object: 'response', deleted: true });
    await expect(store.responses.chain('c_3')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('"c_2" was deleted or expired'),
    });
    await expect(store.responses.delete('c_2')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('prunes conversations idle past the TTL, keeping ones still in use whole', async () => {
    const store = open({ responseTtlDays: 30 });
    await conversation(store, 'old', 2);
    await conversation(store, 'live', 2);
    now += 20 * DAY;
    // Extending `live` keeps its first turns too, although they are older than the TTL by then.
    await store.responses.save({
      id: 'live_3',
      model: 'm',
      input: [user('q')],
      output: [],
      previous_response_id: 'live_2',
    });
    now += 15 * DAY;
    expect(store.responses.prune()).toBe(2);
    await expect(store.responses.retrieve('old_1')).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.responses.chain('live_3')).toHaveLength(5);
    expect(store.responses.stats().responses).toBe(3);
  });

  it('caps the number of stored turns, dropping the least recently extended conversations first', async () => {
    const store = open({ maxStoredResponses: 4 });
    await conversation(store, 'a', 2);
    await conversation(store, 'b', 2);
    await conversation(store, 'c', 2);
    // Extending `a` makes it the most recent conversation: b then c are dropped (4 turns), a stays whole.
    await store.responses.save({
      id: 'a_3',
      model: 'm',
      input: [user('q')],
      output: [],
      previous_response_id: 'a_2',
    });
    expect(store.responses.prune()).toBe(4);
    await expect(store.responses.retrieve('b_1')).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.responses.retrieve('c_2')).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.responses.chain('a_3')).toHaveLength(5);
    expect(store.responses.stats().responses).toBe(3);
  });

  it('prunes on its own as it saves, so the store cannot grow without bound', async () => {
    const store = open({ maxStoredResponses: 10 });
    for (let index = 0; index < 250; index += 1) {
      await store.responses.save({
        id: `solo_${index}`,
        model: 'm',
        input: [user(String(index))],
        output: [],
      });
    }
    expect(store.responses.stats().responses).toBeLessThanOrEqual(10 + 100);
    expect(await store.responses.chain('solo_249')).toEqual([user('249')]);
  });
});
