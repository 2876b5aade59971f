import type { Statement } from 'better-sqlite3';
import { InvalidRequestError } from '../../core/errors.js';
import type { CompatDb } from './compat-db.js';
import { type AttributeFilter, matchesFilter, parseFilter } from './filters.js';
import { buildMatchQuery } from './fts-text.js';
import type { Attributes, SearchPage, SearchResult } from './types.js';

export interface SearchParams {
  query: string | string[];
  /** 1–50, default 10. */
  max_num_results?: number;
  filters?: AttributeFilter;
  /** `ranker` is accepted and ignored (there is one ranker: BM25); `score_threshold` is applied. */
  ranking_options?: { ranker?: string; score_threshold?: number };
  /** Accepted; a no-op here (no model rewrites the query): `search_query` echoes it unchanged. */
  rewrite_query?: boolean;
}

interface HitRow {
  file_id: string;
  filename: string;
  attributes: string;
  text: string;
  rank: number;
}

/** BM25 column weights: body, CJK bigrams, CJK unigrams (single characters are weaker evidence). */
const WEIGHTS = '1.0, 1.0, 0.5';

function checkParams(params: SearchParams): { queries: string[]; limit: number; threshold: number } {
  const queries = typeof params?.query === 'string' ? [params.query] : params?.query;
  if (
    !Array.isArray(queries) ||
    queries.length === 0 ||
    !queries.every((q) => typeof q === 'string' && q.trim())
  ) {
    throw new InvalidRequestError('query must be a non-empty string or array of strings', { param: 'query' });
  }
  const limit = params.max_num_results ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
    throw new InvalidRequestError('max_num_results must be an integer from 1 to 50', {
      param: 'max_num_results',
    });
  }
  const threshold = params.ranking_options?.score_threshold ?? 0;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidRequestError('ranking_options.score_threshold must be a number from 0 to 1', {
      param: 'ranking_options.score_threshold',
    });
  }
  if (params.rewrite_query !== undefined && typeof params.rewrite_query !== 'boolean') {
    throw new InvalidRequestError('rewrite_query must be a boolean', { param: 'rewrite_query' });
  }
  return { queries, limit, threshold };
}

/**
 * Full-text search over a vector store's chunks, ranked by FTS5 `bm25()`.
 *
 * Score: `score = bm25(chunk) / bm25(best chunk of this search)` (with bm25 negated so larger is
 * better), in (0, 1]: the best match scores 1 and the others say how close they come to it.
 * Absolute BM25 values are not comparable across stores and queries (FTS5 clamps the IDF of a term
 * found in over half of the chunks to ~0, so a one-file store scores everything near 0), hence the
 * relative scale; `score_threshold` therefore keeps the results at least that fraction as relevant
 * as the best one.
 *
 * @example
 * new ChunkSearch(db).run('vs_…', { query: 'refund policy', max_num_results: 5 });
 */
export class ChunkSearch {
  private readonly hits: Statement<[Record<string, unknown>], HitRow>;

  constructor(db: CompatDb) {
    // Filters run in SQL (before LIMIT) through a JS function; the parsed filter is memoised on
    // its JSON so each search parses it once, not once per row.
    let lastJson: string | undefined;
    let lastFilter: AttributeFilter | undefined;
    db.function('compat_attr_match', { deterministic: true }, (attributes: unknown, filterJson: unknown) => {
      if (filterJson !== lastJson) {
        lastJson = String(filterJson);
        lastFilter = JSON.parse(lastJson) as AttributeFilter;
      }
      const parsed = JSON.parse(String(attributes)) as Attributes;
      return lastFilter && matchesFilter(parsed, lastFilter) ? 1 : 0;
    });
    this.hits = db.prepare(`
      SELECT c.file_id, f.filename, v.attributes, c.text, bm25(chunk_fts, ${WEIGHTS}) AS rank
      FROM chunk_fts
      JOIN chunks c ON c.id = chunk_fts.rowid
      JOIN vector_store_files v ON v.vector_store_id = c.vector_store_id AND v.file_id = c.file_id
      JOIN files f ON f.id = c.file_id
      WHERE chunk_fts MATCH @match AND c.vector_store_id = @store
        AND (@filter IS NULL OR compat_attr_match(v.attributes, @filter))
      ORDER BY rank, c.id
      LIMIT @limit`);
  }

  run(vectorStoreId: string, params: SearchParams): SearchPage {
    const { queries, limit, threshold } = checkParams(params);
    const filter = params.filters === undefined ? null : JSON.stringify(parseFilter(params.filters));
    const match = buildMatchQuery(queries);
    const rows = match ? this.hits.all({ match, store: vectorStoreId, filter, limit: limit + 1 }) : [];
    const best = -(rows[0]?.rank ?? 0);
    const scored = rows
      .map((row) => ({ row, score: best > 0 ? Math.min(1, -row.rank / best) : 1 }))
      .filter(({ score }) => score >= threshold);
    const data: SearchResult[] = scored.slice(0, limit).map(({ row, score }) => ({
      file_id: row.file_id,
      filename: row.filename,
      score,
      attributes: JSON.parse(row.attributes) as Attributes,
      content: [{ type: 'text', text: row.text }],
    }));
    return {
      object: 'vector_store.search_results.page',
      search_query: queries,
      data,
      has_more: scored.length > limit,
      next_page: null,
    };
  }
}
