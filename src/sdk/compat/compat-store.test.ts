import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from './compat-db.js';
import { compatDbPath } from './compat-paths.js';
import { CompatStore } from './compat-store.js';

const run = promisify(execFile);
const dirs: string[] = [];
const stores: CompatStore[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodex-compat-store-'));
  dirs.push(dir);
  return dir;
}
function open(dir: string): CompatStore {
  const store = CompatStore.open({ compatStorageDir: dir });
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('CompatStore', () => {
  it('two instances on one directory see each other’s writes', async () => {
    const dir = tempDir();
    const one = open(dir);
    const two = open(dir);
    const file = await one.files.create({ file: 'shared words', purpose: 'assistants', filename: 's.txt' });
    expect(await two.files.retrieve(file.id)).toEqual(file);
    const vs = await two.vectorStores.create({ name: 'shared', file_ids: [file.id] });
    expect((await one.vectorStores.search(vs.id, { query: 'shared' })).data[0]?.file_id).toBe(file.id);
    await one.responses.save({ id: 'resp_1', model: 'm', input: ['a'], output: ['b'] });
    await two.responses.save({
      id: 'resp_2',
      model: 'm',
      input: ['c'],
      output: ['d'],
      previous_response_id: 'resp_1',
    });
    expect(await one.responses.chain('resp_2')).toEqual(['a', 'b', 'c', 'd']);
    await two.files.delete(file.id);
    await expect(one.files.content(file.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('stays consistent while another process writes to the same directory', async () => {
    const dir = tempDir();
    const script = join(dir, 'writer.mts');
    const storeModule = new URL('./compat-store.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { CompatStore } from ${JSON.stringify(storeModule)};
const store = CompatStore.open({ compatStorageDir: process.argv[2] });
const vs = await store.vectorStores.create({ name: 'child' });
for (let i = 0; i < 25; i += 1) {
  const file = await store.files.create({ file: 'child text ' + i, purpose: 'assistants', filename: 'child-' + i });
  await store.vectorStores.files.create(vs.id, { file_id: file.id });
  await store.responses.save({ id: 'child_' + i, model: 'm', input: [i], output: [], previous_response_id: i ? 'child_' + (i - 1) : null });
}
store.close();
`,
    );
    const parent = open(dir);
    const child = run(process.execPath, ['--import', 'tsx', script, dir], { cwd: process.cwd() });
    let childDone = false;
    child.then(() => (childDone = true)).catch(() => (childDone = true));
    // Start once the child is writing, so the two really overlap.
    while (!childDone && (await parent.vectorStores.list()).data.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let i = 0; i < 25; i += 1) {
      await parent.files.create({ file: `parent text ${i}`, purpose: 'assistants', filename: `parent-${i}` });
      await parent.responses.save({ id: `parent_${i}`, model: 'm', input: [i], output: [] });
    }
    await child;
    const files = await parent.files.list();
    expect(files.data).toHaveLength(50);
    for (const file of files.data) {
      expect((await parent.files.content(file.id)).toString()).toMatch(/^(child|parent) text \d+$/);
    }
    expect(await parent.responses.chain('child_24')).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const [vs] = (await parent.vectorStores.list()).data;
    expect(vs?.file_counts.completed).toBe(25);
    expect(
      (await parent.vectorStores.search(vs?.id ?? '', { query: 'child', max_num_results: 50 })).data,
    ).toHaveLength(25);
  });

  it('migrates a new database to the current schema in WAL mode, and refuses a newer one', () => {
    const dir = tempDir();
    open(dir).close();
    const db = new Database(compatDbPath(dir));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => CompatStore.open({ compatStorageDir: dir })).toThrow(/newer than this nodex/);
  });
});
