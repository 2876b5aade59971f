import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileObject as OpenAIFileObject } from 'openai/resources/files';
import { afterEach, describe, expect, it } from 'vitest';
import { compatBlobDir } from './compat-paths.js';
import { CompatStore } from './compat-store.js';
import type { FileObject } from './types.js';

const opened: { store: CompatStore; dir: string }[] = [];
function open(): { store: CompatStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nodex-compat-files-'));
  const entry = {
    store: CompatStore.open({ compatStorageDir: dir, clock: () => Date.UTC(2025, 0, 2) }),
    dir,
  };
  opened.push(entry);
  return entry;
}
afterEach(() => {
  for (const { store, dir } of opened.splice(0)) {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('files', () => {
  it('creates, retrieves and returns the exact content', async () => {
    const { store } = open();
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const file = await store.files.create({ file: bytes, purpose: 'assistants', filename: 'raw.bin' });
    expect(file).toEqual({
      id: expect.stringMatching(/^file-[0-9a-f]{24}$/),
      object: 'file',
      bytes: 5,
      created_at: Date.UTC(2025, 0, 2) / 1000,
      filename: 'raw.bin',
      purpose: 'assistants',
      status: 'processed',
    });
    // The shape is the one openai-node declares.
    const typed: OpenAIFileObject = { ...file, purpose: 'assistants' };
    expect(typed.id).toBe(file.id);
    expect(await store.files.retrieve(file.id)).toEqual(file);
    expect(await store.files.content(file.id)).toEqual(bytes);
  });

  it('accepts a string, a path, a Blob/File and a read stream, naming the file from the source', async () => {
    const { store, dir } = open();
    const path = join(dir, 'notes.md');
    writeFileSync(path, '# Notes\nÜberweisung');
    const fromString = await store.files.create({ file: 'hello ✓', purpose: 'user_data' });
    const fromPath = await store.files.create({ file: { path }, purpose: 'user_data' });
    const fromBlob = await store.files.create({
      file: new File(['blob text'], 'b.txt'),
      purpose: 'user_data',
    });
    const fromStream = await store.files.create({ file: createReadStream(path), purpose: 'user_data' });
    expect(fromString).toMatchObject({ filename: 'upload.bin', bytes: Buffer.byteLength('hello ✓') });
    expect((await store.files.content(fromString.id)).toString()).toBe('hello ✓');
    expect(fromPath.filename).toBe('notes.md');
    expect((await store.files.content(fromPath.id)).toString()).toBe('# Notes\nÜberweisung');
    expect(fromBlob.filename).toBe('b.txt');
    expect(fromStream.filename).toBe('notes.md');
    expect(await store.files.content(fromStream.id)).toEqual(await store.files.content(fromPath.id));
  });

  it('stores the content as a blob file, not in the database, and deletes it', async () => {
    const { store, dir } = open();
    const file = await store.files.create({ file: 'x', purpose: 'assistants' });
    const blob = join(compatBlobDir(dir), `${file.id}.bin`);
    expect(existsSync(blob)).toBe(true);
    expect(await store.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    expect(existsSync(blob)).toBe(false);
    await expect(store.files.retrieve(file.id)).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
      message: `file "${file.id}" not found`,
    });
  });

  it('answers unknown ids with not_found', async () => {
    const { store } = open();
    for (const call of [
      () => store.files.retrieve('file-abc'),
      () => store.files.content('file-abc'),
      () => store.files.delete('file-abc'),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'not_found', message: 'file "file-abc" not found' });
    }
  });

  it('rejects a missing purpose, an unreadable path and an unsupported input', async () => {
    const { store } = open();
    await expect(store.files.create({ file: 'x', purpose: '' })).rejects.toMatchObject({
      code: 'invalid_request',
      param: 'purpose',
    });
    await expect(
      store.files.create({ file: { path: '/nonexistent/x' }, purpose: 'assistants' }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      param: 'file',
    });
    await expect(
      store.files.create({ file: 42 as unknown as string, purpose: 'assistants' }),
    ).rejects.toMatchObject({ code: 'invalid_request', param: 'file' });
  });

  it('lists newest first by default, filters by purpose and pages with after/before', async () => {
    const { store } = open();
    const made: FileObject[] = [];
    for (const [index, purpose] of [
      'assistants',
      'user_data',
      'assistants',
      'assistants',
      'assistants',
    ].entries()) {
      made.push(await store.files.create({ file: `f${index}`, purpose, filename: `f${index}.txt` }));
    }
    const ids = (page: { data: FileObject[] }) => page.data.map((file) => file.filename);
    expect(ids(await store.files.list())).toEqual(['f4.txt', 'f3.txt', 'f2.txt', 'f1.txt', 'f0.txt']);
    expect(ids(await store.files.list({ purpose: 'user_data' }))).toEqual(['f1.txt']);

    const first = await store.files.list({ purpose: 'assistants', order: 'asc', limit: 2 });
    expect(ids(first)).toEqual(['f0.txt', 'f2.txt']);
    expect(first).toMatchObject({
      object: 'list',
      has_more: true,
      first_id: made[0]?.id,
      last_id: made[2]?.id,
    });
    const second = await store.files.list({
      purpose: 'assistants',
      order: 'asc',
      limit: 2,
      after: first.last_id ?? '',
    });
    expect(ids(second)).toEqual(['f3.txt', 'f4.txt']);
    expect(second.has_more).toBe(false);
    // `before` pages back to the items just before the cursor.
    const back = await store.files.list({
      purpose: 'assistants',
      order: 'asc',
      limit: 1,
      before: second.first_id ?? '',
    });
    expect(ids(back)).toEqual(['f2.txt']);
    expect(back.has_more).toBe(true);
    const desc = await store.files.list({ order: 'desc', limit: 2, after: made[3]?.id ?? '' });
    expect(ids(desc)).toEqual(['f2.txt', 'f1.txt']);

    await expect(store.files.list({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.files.list({ after: 'file-nope' })).rejects.toMatchObject({ param: 'after' });
  });
});
