import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VectorStoreSearchResponse } from 'openai/resources/vector-stores/vector-stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatStore } from './compat-store.js';
import type { Attributes } from './types.js';

const DOCS: Record<string, { text: string; attributes: Attributes }> = {
  'refunds.md': {
    text: 'Our refund policy is simple. You can ask for a refund within 30 days. Every refund goes back to the card you paid with.',
    attributes: { lang: 'en', year: 2024, public: true },
  },
  'shipping.md': {
    text: 'Shipping takes five working days. Shipping costs are not covered by a refund in any case whatsoever.',
    attributes: { lang: 'en', year: 2021, public: false },
  },
  'pasta.md': {
    text: 'Boil water, add salt and cook the pasta for nine minutes.',
    attributes: { lang: 'en', year: 2019, public: true },
  },
  'bank.de.md': {
    text: 'Die Überweisung wird innerhalb von drei Tagen ausgeführt. Bitte prüfen Sie Ihre Bankverbindung.',
    attributes: { lang: 'de', year: 2023, public: true },
  },
  'tokyo.ja.md': {
    text: '東京は日本の首都です。大阪は商業の中心です。',
    attributes: { lang: 'ja', year: 2022, public: true },
  },
  'beijing.zh.md': { text: '北京是中国的首都。', attributes: { lang: 'zh', year: 2022, public: true } },
};

let dir: string;
let store: CompatStore;
let vsId: string;
const idOf: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nodex-compat-search-'));
  store = CompatStore.open({ compatStorageDir: dir });
  const vs = await store.vectorStores.create({ name: 'search' });
  vsId = vs.id;
  for (const [filename, { text, attributes }] of Object.entries(DOCS)) {
    const file = await store.files.create({ file: text, purpose: 'assistants', filename });
    idOf[filename] = file.id;
    await store.vectorStores.files.create(vsId, { file_id: file.id, attributes });
  }
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function names(query: string | string[], extra: Record<string, unknown> = {}): Promise<string[]> {
  const page = await store.vectorStores.search(vsId, { query, ...extra });
  return page.data.map((result) => result.filename);
}

describe('vector store search', () => {
  it('ranks the document matching more often above one that barely matches, and skips unrelated ones', async () => {
    const page = await store.vectorStores.search(vsId, { query: 'refund policy' });
    expect(page.data.map((r) => r.filename)).toEqual(['refunds.md', 'shipping.md']);
    const [best, weak] = page.data;
    expect(best?.score).toBe(1);
    expect(weak?.score).toBeGreaterThan(0);
    expect(weak?.score).toBeLessThan(best?.score ?? 0);
    const typed: VectorStoreSearchResponse[] = page.data;
    expect(typed).toHaveLength(2);
    expect(page).toMatchObject({
      object: 'vector_store.search_results.page',
      search_query: ['refund policy'],
      has_more: false,
      next_page: null,
    });
    expect(best).toMatchObject({
      file_id: idOf['refunds.md'],
      attributes: { lang: 'en', year: 2024, public: true },
    });
  });

  it('ranks adjacent terms above distant ones at equal frequency and length (phrase and NEAR bonuses)', async () => {
    const filler = 'one two three four five six seven eight nine ten eleven twelve';
    const near = await store.files.create({
      file: `warranty claim ${filler}.`,
      purpose: 'assistants',
      filename: 'near.md',
    });
    const far = await store.files.create({
      file: `warranty ${filler} claim.`,
      purpose: 'assistants',
      filename: 'far.md',
    });
    // `far` is indexed first, so without the bonuses it would win the tie.
    const vs = await store.vectorStores.create({ file_ids: [far.id, near.id] });
    const page = await store.vectorStores.search(vs.id, { query: 'warranty claim' });
    expect(page.data.map((r) => r.filename)).toEqual(['near.md', 'far.md']);
    expect(page.data[1]?.score).toBeLessThan(1);
  });

  it('returns the matching chunk as the snippet, not the whole file', async () => {
    const filler = Array.from(
      { length: 60 },
      (_, n) => `Filler sentence ${n} talks about nothing in particular.`,
    );
    filler.splice(30, 0, 'The zebra crossing is next to the station.');
    const file = await store.files.create({
      file: filler.join(' '),
      purpose: 'assistants',
      filename: 'long.md',
    });
    const vs = await store.vectorStores.create({
      file_ids: [file.id],
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } },
    });
    const page = await store.vectorStores.search(vs.id, { query: 'zebra' });
    expect(page.data).toHaveLength(1);
    const text = page.data[0]?.content[0]?.text ?? '';
    expect(page.data[0]?.content[0]?.type).toBe('text');
    expect(text).toContain('The zebra crossing is next to the station.');
    expect(text.length).toBeLessThan(filler.join(' ').length / 3);
  });

  it('finds German words with and without umlauts, in any case, and stems English', async () => {
    expect(await names('Überweisung')).toEqual(['bank.de.md']);
    expect(await names('uberweisung')).toEqual(['bank.de.md']);
    expect(await names('BANKVERBINDUNG')).toEqual(['bank.de.md']);
    expect(await names('refunds')).toContain('refunds.md');
  });

  it('finds CJK words inside unsegmented text (bigrams), single characters, and phrases', async () => {
    expect(await names('東京')).toEqual(['tokyo.ja.md']);
    expect(await names('大阪')).toEqual(['tokyo.ja.md']);
    expect((await names('首都')).sort()).toEqual(['beijing.zh.md', 'tokyo.ja.md']);
    expect(await names('北京')).toEqual(['beijing.zh.md']);
    expect(await names('阪')).toEqual(['tokyo.ja.md']);
    expect((await names('日本の首都'))[0]).toBe('tokyo.ja.md');
    expect(await names('京都')).toEqual([]);
  });

  it('applies attribute filters: eq, ne, gt, and, or', async () => {
    const query = 'refund policy Überweisung pasta';
    expect(await names(query, { filters: { type: 'eq', key: 'lang', value: 'de' } })).toEqual(['bank.de.md']);
    expect((await names(query, { filters: { type: 'ne', key: 'lang', value: 'en' } })).sort()).toEqual([
      'bank.de.md',
    ]);
    expect((await names(query, { filters: { type: 'gt', key: 'year', value: 2021 } })).sort()).toEqual([
      'bank.de.md',
      'refunds.md',
    ]);
    const and = {
      type: 'and',
      filters: [
        { type: 'eq', key: 'lang', value: 'en' },
        { type: 'eq', key: 'public', value: true },
      ],
    };
    expect((await names(query, { filters: and })).sort()).toEqual(['pasta.md', 'refunds.md']);
    const or = {
      type: 'or',
      filters: [
        { type: 'eq', key: 'lang', value: 'de' },
        { type: 'lt', key: 'year', value: 2020 },
      ],
    };
    expect((await names(query, { filters: or })).sort()).toEqual(['bank.de.md', 'pasta.md']);
    await expect(names(query, { filters: { type: 'gt', key: 'year', value: true } })).rejects.toMatchObject({
      code: 'invalid_request',
      param: 'filters',
    });
  });

  it('applies score_threshold and max_num_results', async () => {
    expect(await names('refund policy', { ranking_options: { score_threshold: 0.99 } })).toEqual([
      'refunds.md',
    ]);
    const page = await store.vectorStores.search(vsId, { query: 'refund policy', max_num_results: 1 });
    expect(page.data.map((r) => r.filename)).toEqual(['refunds.md']);
    expect(page.has_more).toBe(true);
    await expect(names('refund', { max_num_results: 51 })).rejects.toMatchObject({
      param: 'max_num_results',
    });
    await expect(names('refund', { ranking_options: { score_threshold: 2 } })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('accepts several queries and rewrite_query (a no-op: the query comes back unchanged)', async () => {
    const page = await store.vectorStores.search(vsId, {
      query: ['pasta', 'Überweisung'],
      rewrite_query: true,
    });
    expect(page.search_query).toEqual(['pasta', 'Überweisung']);
    expect(page.data.map((r) => r.filename).sort()).toEqual(['bank.de.md', 'pasta.md']);
  });

  it('never throws on FTS syntax in user text', async () => {
    for (const query of [
      '"unbalanced',
      'a OR',
      'NEAR(',
      '*',
      'refund*',
      '-refund',
      'lang:de',
      'AND NOT',
      ')(',
      '"refund" policy"',
    ]) {
      await expect(store.vectorStores.search(vsId, { query })).resolves.toMatchObject({
        object: 'vector_store.search_results.page',
      });
    }
    expect(await names('*')).toEqual([]);
    expect(await names('"refund" policy"')).toContain('refunds.md');
    await expect(names('')).rejects.toMatchObject({ code: 'invalid_request', param: 'query' });
  });
});
