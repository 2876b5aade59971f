import type { Statement } from 'better-sqlite3';
import { InvalidRequestError } from '../../core/errors.js';
import type { ListPage, ListParams } from './types.js';

/**
 * A listable table's two prepared statements. Each takes `@lo`, `@hi` (exclusive `seq` bounds),
 * `@limit` and any filter parameters, and orders by `seq` in its direction.
 */
export interface PageQueries<Row> {
  readonly asc: Statement<[Record<string, unknown>], Row>;
  readonly desc: Statement<[Record<string, unknown>], Row>;
}

export interface PageOptions {
  /** Looks up a cursor's `seq`; undefined when the id is not in this list. */
  readonly seqOf: (id: string) => number | undefined;
  readonly defaultLimit: number;
  /** Extra named parameters for the filters of the statements. */
  readonly filters?: Record<string, unknown>;
}

const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * Runs one page of a list with OpenAI cursor semantics: `order` defaults to `desc`; `after` gives
 * the items following the cursor in that order, `before` the ones preceding it (the nearest ones,
 * so it pages backwards); `has_more` says items remain past the page's far end.
 *
 * @example
 * const page = listPage(queries, { limit: 2, order: 'asc' }, { seqOf, defaultLimit: 20 }, toObject);
 */
export function listPage<Row extends { id: string }, T extends { id: string }>(
  queries: PageQueries<Row>,
  params: ListParams,
  options: PageOptions,
  toObject: (row: Row) => T,
): ListPage<T> {
  const order = params.order ?? 'desc';
  const limit = params.limit ?? options.defaultLimit;
  let lo = 0;
  let hi = NO_UPPER_BOUND;
  const cursor = (id: string, param: string): number => {
    const seq = options.seqOf(id);
    if (seq === undefined) throw new InvalidRequestError(`cursor "${id}" is not in this list`, { param });
    return seq;
  };
  // In ascending order `after` is a lower bound; in descending order an upper one. `before` mirrors.
  if (params.after !== undefined) {
    if (order === 'asc') lo = cursor(params.after, 'after');
    else hi = cursor(params.after, 'after');
  }
  if (params.before !== undefined) {
    if (order === 'asc') hi = cursor(params.before, 'before');
    else lo = cursor(params.before, 'before');
  }
  // `before` alone walks away from the cursor: read the opposite direction, then flip back.
  const backwards = params.before !== undefined && params.after === undefined;
  const direction = (order === 'asc') !== backwards ? 'asc' : 'desc';
  const rows = queries[direction].all({ ...options.filters, lo, hi, limit: limit + 1 });
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  const data = page.map(toObject);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}
