import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VectorStoreFile } from 'openai/resources/vector-stores/files';
import type { VectorStore } from 'openai/resources/vector-stores/vector-stores';
import { afterEach, describe, expect, it } from 'vitest';
import { CompatStore } from './compat-store.js';

const DAY = 86_400_000;
let now = Date.UTC(2025, 0, 1);
const dirs: string[] = [];
const stores: CompatStore[] = [];
function open(dir = mkdtempSync(join(tmpdir(), 'nodex-compat-vs-'))): CompatStore {
  if (!dirs.includes(dir)) dirs.push(dir);
  const store = CompatStore.open({ compatStorageDir: dir, clock: () => now });
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  now = Date.UTC(2025, 0, 1);
});

async function textFile(store: CompatStore, name: string, text: string) {
  return store.files.create({ file: text, purpose: 'assistants', filename: name });
}

describe('vector stores', () => {
  it('creates with files, reports real counts and usage, and matches the OpenAI shapes', async () => {
    const store = open();
    const a = await textFile(store, 'a.txt', 'alpha text');
    const b = await textFile(store, 'b.md', 'Grüße aus Köln');
    const vs = await store.vectorStores.create({
      name: 'docs',
      file_ids: [a.id, b.id],
      metadata: { team: 'x' },
    });
    expect(vs).toEqual({
      id: expect.stringMatching(/^vs_[0-9a-f]{24}$/),
      object: 'vector_store',
      name: 'docs',
      created_at: now / 1000,
      last_active_at: now / 1000,
      usage_bytes: a.bytes + b.bytes,
      file_counts: { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 },
      status: 'completed',
      metadata: { team: 'x' },
      expires_at: null,
    });
    const typed: VectorStore = vs;
    expect(typed.id).toBe(vs.id);
    const attached = await store.vectorStores.files.retrieve(vs.id, a.id);
    const typedFile: VectorStoreFile = attached;
    expect(typedFile).toEqual({
      id: a.id,
      object: 'vector_store.file',
      vector_store_id: vs.id,
      created_at: now / 1000,
      usage_bytes: a.bytes,
      status: 'completed',
      last_error: null,
      attributes: {},
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
      },
    });
  });

  it('retrieves, lists, updates and deletes; unknown ids are not_found', async () => {
    const store = open();
    const first = await store.vectorStores.create({ name: 'one' });
    const second = await store.vectorStores.create({ name: 'two' });
    expect((await store.vectorStores.list()).data.map((vs) => vs.name)).toEqual(['two', 'one']);
    expect((await store.vectorStores.list({ order: 'asc', limit: 1 })).data.map((vs) => vs.id)).toEqual([
      first.id,
    ]);
    now += 1000;
    const updated = await store.vectorStores.update(first.id, { name: 'uno', metadata: { k: 'v' } });
    expect(updated).toMatchObject({ name: 'uno', metadata: { k: 'v' }, last_active_at: now / 1000 });
    expect(await store.vectorStores.retrieve(first.id)).toEqual(updated);
    expect(await store.vectorStores.delete(second.id)).toEqual({
      id: second.id,
      object: 'vector_store.deleted',
      deleted: true,
    });
    await expect(store.vectorStores.retrieve(second.id)).rejects.toMatchObject({
      code: 'not_found',
      message: `vector store "${second.id}" not found`,
    });
    await expect(store.vectorStores.create({ metadata: { k: 'x'.repeat(513) } })).rejects.toMatchObject({
      code: 'invalid_request',
      param: 'metadata',
    });
  });

  it('attaches with attributes, detaches, and drops a deleted file from every store', async () => {
    const store = open();
    const file = await textFile(store, 'a.txt', 'searchable words here');
    const one = await store.vectorStores.create({ name: 'one' });
    const two = await store.vectorStores.create({ name: 'two' });
    const attached = await store.vectorStores.files.create(one.id, {
      file_id: file.id,
      attributes: { lang: 'en' },
    });
    expect(attached).toMatchObject({ id: file.id, status: 'completed', attributes: { lang: 'en' } });
    await store.vectorStores.files.create(two.id, { file_id: file.id });
    expect((await store.vectorStores.files.list(one.id)).data.map((f) => f.id)).toEqual([file.id]);
    expect((await store.vectorStores.search(one.id, { query: 'searchable' })).data).toHaveLength(1);

    expect(await store.vectorStores.files.delete(one.id, file.id)).toEqual({
      id: file.id,
      object: 'vector_store.file.deleted',
      deleted: true,
    });
    expect((await store.vectorStores.retrieve(one.id)).file_counts.total).toBe(0);
    expect((await store.vectorStores.search(one.id, { query: 'searchable' })).data).toEqual([]);

    await store.files.delete(file.id);
    expect(await store.vectorStores.retrieve(two.id)).toMatchObject({
      usage_bytes: 0,
      file_counts: { total: 0 },
    });
    expect((await store.vectorStores.search(two.id, { query: 'searchable' })).data).toEqual([]);
    await expect(store.vectorStores.files.retrieve(two.id, file.id)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses a binary file when attaching, saying so', async () => {
    const store = open();
    const pdf = await store.files.create({
      file: Buffer.from('%PDF-1.7\n%âãÏÓ'),
      purpose: 'assistants',
      filename: 'r.pdf',
    });
    const vs = await store.vectorStores.create({ name: 'x' });
    await expect(store.vectorStores.files.create(vs.id, { file_id: pdf.id })).rejects.toMatchObject({
      code: 'not_supported',
      message: expect.stringContaining('(r.pdf) is a PDF'),
    });
    await expect(store.vectorStores.create({ file_ids: [pdf.id] })).rejects.toMatchObject({
      code: 'not_supported',
    });
    expect((await store.vectorStores.list()).data).toHaveLength(1);
    await expect(store.vectorStores.files.create(vs.id, { file_id: 'file-missing' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('persists file batch counts (with failures) across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nodex-compat-vs-'));
    const store = open(dir);
    const good = await textFile(store, 'good.txt', 'good text');
    const other = await textFile(store, 'other.txt', 'other text');
    const bad = await store.files.create({ file: Buffer.from([0x50, 0x4b, 3, 4, 0]), purpose: 'assistants' });
    const vs = await store.vectorStores.create({ name: 'b' });
    const batch = await store.vectorStores.fileBatches.create(vs.id, {
      file_ids: [good.id, other.id, bad.id],
      attributes: { source: 'batch' },
    });
    const counts = { in_progress: 0, completed: 2, failed: 1, cancelled: 0, total: 3 };
    expect(batch).toEqual({
      id: expect.stringMatching(/^vsfb_/),
      object: 'vector_store.files_batch',
      vector_store_id: vs.id,
      status: 'completed',
      file_counts: counts,
      created_at: now / 1000,
    });
    await expect(
      store.vectorStores.fileBatches.create(vs.id, { file_ids: ['file-nope'] }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    store.close();

    const reopened = open(dir);
    expect(await reopened.vectorStores.fileBatches.retrieve(vs.id, batch.id)).toEqual(batch);
    expect((await reopened.vectorStores.retrieve(vs.id)).file_counts).toEqual(counts);
    const failed = await reopened.vectorStores.fileBatches.listFiles(vs.id, batch.id, { filter: 'failed' });
    expect(failed.data).toEqual([
      expect.objectContaining({
        id: bad.id,
        status: 'failed',
        usage_bytes: 0,
        last_error: { code: 'unsupported_file', message: expect.stringContaining('ZIP-based document') },
      }),
    ]);
    const all = await reopened.vectorStores.fileBatches.listFiles(vs.id, batch.id, { order: 'asc' });
    expect(all.data.map((f) => [f.id, f.attributes])).toEqual([
      [good.id, { source: 'batch' }],
      [other.id, { source: 'batch' }],
      [bad.id, { source: 'batch' }],
    ]);
  });

  it('expires after its inactivity window, reports expired, purges the index and refuses use', async () => {
    const store = open();
    const file = await textFile(store, 'a.txt', 'ephemeral content');
    const vs = await store.vectorStores.create({
      file_ids: [file.id],
      expires_after: { anchor: 'last_active_at', days: 2 },
    });
    expect(vs).toMatchObject({
      expires_after: { anchor: 'last_active_at', days: 2 },
      expires_at: now / 1000 + 2 * 86_400,
    });
    now += DAY;
    // Activity moves the anchor.
    expect((await store.vectorStores.search(vs.id, { query: 'ephemeral' })).data).toHaveLength(1);
    now += DAY + DAY / 2;
    expect((await store.vectorStores.retrieve(vs.id)).status).toBe('completed');
    now += DAY;
    const expired = await store.vectorStores.retrieve(vs.id);
    expect(expired).toMatchObject({ status: 'expired', usage_bytes: 0 });
    expect((await store.vectorStores.list()).data[0]?.status).toBe('expired');
    await expect(store.vectorStores.search(vs.id, { query: 'ephemeral' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('expired'),
    });
    await expect(store.vectorStores.files.create(vs.id, { file_id: file.id })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(await store.vectorStores.delete(vs.id)).toMatchObject({ deleted: true });
  });

  it('validates chunking strategies and indexes with a custom one', async () => {
    const store = open();
    const file = await textFile(store, 'a.txt', 'Some text.');
    const vs = await store.vectorStores.create({});
    await expect(
      store.vectorStores.files.create(vs.id, {
        file_id: file.id,
        chunking_strategy: {
          type: 'static',
          static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 150 },
        },
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', param: 'chunking_strategy' });
    const attached = await store.vectorStores.files.create(vs.id, {
      file_id: file.id,
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 } },
    });
    expect(attached.chunking_strategy.static).toEqual({
      max_chunk_size_tokens: 200,
      chunk_overlap_tokens: 50,
    });
    const updated = await store.vectorStores.files.update(vs.id, file.id, { attributes: { n: 1 } });
    expect(updated.attributes).toEqual({ n: 1 });
  });
});
