import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildMatchQuery, indexColumns } from './fts-text.js';

describe('indexColumns', () => {
  it('moves CJK runs into bigram and unigram columns', () => {
    expect(indexColumns('Tokyo 東京都 and 大阪')).toEqual({
      body: 'Tokyo   and  ',
      cjk2: '東京 京都 0 大阪',
      cjk1: '東 京 都 大 阪',
    });
    expect(indexColumns('只')).toEqual({ body: ' ', cjk2: '', cjk1: '只' });
  });

  it('keeps CJK punctuation out of the runs', () => {
    expect(indexColumns('東京。大阪、').cjk2).toBe('東京 0 大阪');
  });
});

describe('buildMatchQuery', () => {
  const db = new Database(':memory:');
  db.exec(
    "CREATE VIRTUAL TABLE t USING fts5(body, cjk2, cjk1, tokenize = 'porter unicode61 remove_diacritics 2')",
  );
  const match = db.prepare('SELECT rowid FROM t WHERE t MATCH ?');

  it('quotes every word, ORs them, and adds phrase and NEAR bonuses', () => {
    expect(buildMatchQuery(['refund policy'])).toBe(
      'body : "refund" OR body : "policy" OR body : "refund policy" OR body : NEAR("refund" "policy", 10)',
    );
  });

  it('drops English stopwords unless nothing else is left', () => {
    expect(buildMatchQuery(['what is the refund'])).toBe('body : "refund"');
    expect(buildMatchQuery(['a OR'])).toBe(
      'body : "a" OR body : "or" OR body : "a or" OR body : NEAR("a" "or", 10)',
    );
  });

  it('turns CJK into bigram phrases and single characters into unigrams', () => {
    expect(buildMatchQuery(['東京'])).toBe('cjk2 : "東京"');
    expect(buildMatchQuery(['京'])).toBe('cjk1 : "京"');
    expect(buildMatchQuery(['東京都'])).toBe('cjk2 : "東京" OR cjk2 : "京都" OR cjk2 : "東京 京都"');
  });

  it('never produces FTS5 syntax errors, whatever the user typed', () => {
    const hostile = [
      '"unbalanced',
      'a OR',
      'NEAR(',
      '*',
      'foo*',
      '-minus',
      'col:value',
      'AND',
      ')(',
      "it's",
      '^x',
      '{a b}',
      'x + y',
      'NOT',
      '"',
    ];
    for (const query of hostile) {
      const expression = buildMatchQuery([query]);
      if (expression !== undefined) expect(() => match.all(expression)).not.toThrow();
    }
    expect(buildMatchQuery(['*'])).toBeUndefined();
    expect(buildMatchQuery(['"', '-'])).toBeUndefined();
  });
});
