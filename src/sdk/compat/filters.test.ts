import { describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from './filters.js';

const doc = { lang: 'de', year: 2021, public: true, title: 'b' };

describe('matchesFilter', () => {
  it('compares scalars strictly by type', () => {
    expect(matchesFilter(doc, { type: 'eq', key: 'lang', value: 'de' })).toBe(true);
    expect(matchesFilter(doc, { type: 'eq', key: 'year', value: '2021' })).toBe(false);
    expect(matchesFilter(doc, { type: 'eq', key: 'public', value: true })).toBe(true);
    expect(matchesFilter(doc, { type: 'ne', key: 'lang', value: 'en' })).toBe(true);
    expect(matchesFilter(doc, { type: 'ne', key: 'missing', value: 'x' })).toBe(true);
  });

  it('orders numbers and strings, never across types', () => {
    expect(matchesFilter(doc, { type: 'gt', key: 'year', value: 2020 })).toBe(true);
    expect(matchesFilter(doc, { type: 'gte', key: 'year', value: 2021 })).toBe(true);
    expect(matchesFilter(doc, { type: 'lt', key: 'year', value: 2021 })).toBe(false);
    expect(matchesFilter(doc, { type: 'lte', key: 'year', value: 2021 })).toBe(true);
    expect(matchesFilter(doc, { type: 'gt', key: 'title', value: 'a' })).toBe(true);
    expect(matchesFilter(doc, { type: 'gt', key: 'lang', value: 1 })).toBe(false);
    expect(matchesFilter(doc, { type: 'gt', key: 'missing', value: 1 })).toBe(false);
  });

  it('supports in/nin and nested and/or', () => {
    expect(matchesFilter(doc, { type: 'in', key: 'lang', value: ['en', 'de'] })).toBe(true);
    expect(matchesFilter(doc, { type: 'nin', key: 'lang', value: ['en', 'de'] })).toBe(false);
    const filter = parseFilter({
      type: 'and',
      filters: [
        { type: 'eq', key: 'public', value: true },
        {
          type: 'or',
          filters: [
            { type: 'eq', key: 'lang', value: 'en' },
            { type: 'gt', key: 'year', value: 2020 },
          ],
        },
      ],
    });
    expect(matchesFilter(doc, filter)).toBe(true);
    expect(matchesFilter({ ...doc, year: 2019 }, filter)).toBe(false);
  });
});

describe('parseFilter', () => {
  it('rejects malformed filters with a 400 naming the path', () => {
    expect(() => parseFilter({ type: 'like', key: 'a', value: 'b' })).toThrow(/filters\.type/);
    expect(() => parseFilter({ type: 'eq', value: 'b' })).toThrow(/filters\.key/);
    expect(() => parseFilter({ type: 'gt', key: 'a', value: true })).toThrow(/cannot compare booleans/);
    expect(() => parseFilter({ type: 'in', key: 'a', value: 'x' })).toThrow(/array/);
    expect(() => parseFilter({ type: 'and', filters: [] })).toThrow(/filters\.filters/);
    expect(() => parseFilter({ type: 'or', filters: [{ type: 'eq', key: 'k' }] })).toThrow(
      /filters\.filters\.0\.value/,
    );
  });
});
