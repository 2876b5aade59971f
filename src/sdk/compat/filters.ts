import { InvalidRequestError } from '../../core/errors.js';
import type { Attributes } from './types.js';

type Scalar = string | number | boolean;

/** OpenAI's comparison filter: `{ type, key, value }` on a vector store file's attributes. */
export interface ComparisonFilter {
  type: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';
  key: string;
  value: Scalar | (string | number)[];
}

/** OpenAI's compound filter: `{ type: 'and' | 'or', filters: [...] }`, nestable. */
export interface CompoundFilter {
  type: 'and' | 'or';
  filters: AttributeFilter[];
}

export type AttributeFilter = ComparisonFilter | CompoundFilter;

const ORDERED = new Set(['gt', 'gte', 'lt', 'lte']);
const COMPARISONS = new Set(['eq', 'ne', 'in', 'nin', ...ORDERED]);
const MAX_DEPTH = 8;

function invalid(path: string, reason: string): InvalidRequestError {
  return new InvalidRequestError(`invalid ${path}: ${reason}`, { param: 'filters' });
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Checks a `filters` value and returns it typed. Ordered comparisons take a number or a string;
 * `in`/`nin` take an array of them; `eq`/`ne` any scalar.
 *
 * @example
 * parseFilter({ type: 'and', filters: [{ type: 'eq', key: 'lang', value: 'de' }, { type: 'gte', key: 'year', value: 2020 }] });
 */
export function parseFilter(value: unknown, path = 'filters', depth = 0): AttributeFilter {
  if (typeof value !== 'object' || value === null) throw invalid(path, 'expected an object');
  if (depth > MAX_DEPTH) throw invalid(path, `nested deeper than ${MAX_DEPTH} levels`);
  const { type, key, value: operand, filters } = value as Record<string, unknown>;
  if (type === 'and' || type === 'or') {
    if (!Array.isArray(filters) || filters.length === 0)
      throw invalid(`${path}.filters`, 'expected a non-empty array');
    return {
      type,
      filters: filters.map((inner, index) => parseFilter(inner, `${path}.filters.${index}`, depth + 1)),
    };
  }
  if (typeof type !== 'string' || !COMPARISONS.has(type)) {
    throw invalid(`${path}.type`, 'expected eq, ne, gt, gte, lt, lte, in, nin, and or or');
  }
  if (typeof key !== 'string' || key === '') throw invalid(`${path}.key`, 'expected a non-empty string');
  const comparison = type as ComparisonFilter['type'];
  if (comparison === 'in' || comparison === 'nin') {
    const ok =
      Array.isArray(operand) && operand.every((item) => typeof item === 'string' || typeof item === 'number');
    if (!ok) throw invalid(`${path}.value`, `${type} takes an array of strings or numbers`);
    return { type: comparison, key, value: operand as (string | number)[] };
  }
  if (!isScalar(operand)) throw invalid(`${path}.value`, 'expected a string, number or boolean');
  if (ORDERED.has(type) && typeof operand === 'boolean')
    throw invalid(`${path}.value`, `${type} cannot compare booleans`);
  return { type: comparison, key, value: operand };
}

/** Ordered comparison only between values of one type: no '10' > 9 coercions. */
function compare(actual: Scalar, expected: Scalar): number | undefined {
  if (typeof actual !== typeof expected || typeof actual === 'boolean') return undefined;
  if (actual === expected) return 0;
  return actual < expected ? -1 : 1;
}

function matchesComparison(attributes: Attributes, filter: ComparisonFilter): boolean {
  const actual = Object.hasOwn(attributes, filter.key) ? attributes[filter.key] : undefined;
  const { value } = filter;
  switch (filter.type) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'in':
      return Array.isArray(value) && value.some((item) => item === actual);
    case 'nin':
      return Array.isArray(value) && !value.some((item) => item === actual);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (actual === undefined || Array.isArray(value)) return false;
      const order = compare(actual, value);
      if (order === undefined) return false;
      if (filter.type === 'gt') return order > 0;
      if (filter.type === 'gte') return order >= 0;
      return filter.type === 'lt' ? order < 0 : order <= 0;
    }
  }
}

/**
 * Whether a file's attributes pass a filter. A missing key fails every comparison except `ne` and
 * `nin`: a file without the attribute is indeed not equal to the value.
 *
 * @example
 * matchesFilter({ lang: 'de' }, { type: 'ne', key: 'lang', value: 'en' }); // true
 */
export function matchesFilter(attributes: Attributes, filter: AttributeFilter): boolean {
  if (!('filters' in filter)) return matchesComparison(attributes, filter);
  const test = (inner: AttributeFilter) => matchesFilter(attributes, inner);
  return filter.type === 'and' ? filter.filters.every(test) : filter.filters.some(test);
}
