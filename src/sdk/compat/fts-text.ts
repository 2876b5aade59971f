/**
 * How text meets the FTS5 index. unicode61 splits words at spaces and punctuation, which works for
 * Latin, Cyrillic, Greek… ("Überweisung" also matches "uberweisung": remove_diacritics 2; English
 * words are stemmed by porter, so "refunds" finds "refund"). It cannot split Chinese or Japanese,
 * which have no spaces: a whole run like 東京は日本の首都です would be one token, and "東京" would
 * never match. The trigram tokenizer needs 3+ characters, which misses most CJK words (2
 * characters). So CJK runs are indexed as overlapping bigrams (`cjk2`, as Lucene's CJKAnalyzer
 * does) and single characters (`cjk1`): any CJK substring of 2+ characters matches as a phrase of
 * bigrams, a 1-character query matches the unigram column.
 */

/** A Han, Hiragana, Katakana or Hangul letter (scx: includes ー and 々, excludes 。and 、). */
const CJK_RUN = /(?:(?=[\p{L}\p{N}\p{M}])[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}])+/gu;
/** What unicode61 keeps as token characters (letters, numbers, marks, private use). */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
/** Between CJK runs in `cjk2`, so a phrase never matches across two runs. */
const RUN_SEPARATOR = ' 0 ';

function bigrams(run: string): string[] {
  const chars = Array.from(run);
  const pairs: string[] = [];
  for (let index = 0; index + 1 < chars.length; index += 1) pairs.push(`${chars[index]}${chars[index + 1]}`);
  return pairs;
}

/** The three FTS columns of one chunk. */
export interface IndexColumns {
  body: string;
  cjk2: string;
  cjk1: string;
}

/**
 * The FTS columns of a chunk: non-CJK text as is, CJK runs as bigrams and as unigrams.
 *
 * @example
 * indexColumns('Tokyo 東京都'); // { body: 'Tokyo  ', cjk2: '東京 京都', cjk1: '東 京 都' }
 */
export function indexColumns(text: string): IndexColumns {
  const runs = text.match(CJK_RUN) ?? [];
  return {
    body: text.replace(CJK_RUN, ' '),
    cjk2: runs
      .map((run) => bigrams(run).join(' '))
      .filter(Boolean)
      .join(RUN_SEPARATOR),
    cjk1: runs.map((run) => Array.from(run).join(' ')).join(' '),
  };
}

/** English function words dropped from a query that has other terms (they match nearly everything). */
const STOPWORDS = new Set(
  'a an and are as at be by can do does for from how i in is it its me my of on or our that the their this to was what when where which who why will with you your'.split(
    ' ',
  ),
);

/** Most terms and NEAR members a query contributes, to bound the MATCH expression. */
const MAX_TERMS = 32;
const MAX_NEAR = 8;
/** How many tokens apart query words may be to earn the proximity bonus. */
const NEAR_DISTANCE = 10;

/** A safe FTS5 string: only letters and digits reach here, but quotes are doubled regardless. */
function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Builds an FTS5 MATCH expression from free text without ever passing the user's syntax through:
 * the query is cut into words (and CJK bigrams) that are each quoted, so `"`, `-`, `:`, `*`,
 * `NEAR(`, `AND`, `OR` are plain words or separators. The words are ORed (a chunk matching more of
 * them ranks higher under BM25), plus the exact phrase and a NEAR group as proximity bonuses.
 * Undefined when nothing searchable is left (the query was only punctuation).
 *
 * @example
 * buildMatchQuery(['refund policy']);
 * // 'body : "refund" OR body : "policy" OR body : "refund policy" OR body : NEAR("refund" "policy", 10)'
 */
export function buildMatchQuery(queries: readonly string[]): string | undefined {
  const perQuery = queries.map((query) =>
    (query.replace(CJK_RUN, ' ').match(WORD) ?? []).map((w) => w.toLowerCase()),
  );
  const meaningful = perQuery.map((words) => words.filter((word) => !STOPWORDS.has(word)));
  const useful = meaningful.some((words) => words.length > 0) ? meaningful : perQuery;
  const clauses = new Set<string>();
  for (const word of useful.flat().slice(0, MAX_TERMS)) clauses.add(`body : ${quote(word)}`);
  for (const words of useful) {
    const near = [...new Set(words)].slice(0, MAX_NEAR);
    if (near.length < 2) continue;
    clauses.add(`body : ${quote(words.slice(0, MAX_NEAR).join(' '))}`);
    clauses.add(`body : NEAR(${near.map(quote).join(' ')}, ${NEAR_DISTANCE})`);
  }
  for (const run of queries.flatMap((query) => query.match(CJK_RUN) ?? [])) {
    const pairs = bigrams(run);
    if (pairs.length === 0) {
      clauses.add(`cjk1 : ${quote(run)}`);
      continue;
    }
    // Each bigram alone gives recall for sentence-like queries; the whole run is the phrase bonus.
    for (const pair of pairs.slice(0, MAX_TERMS)) clauses.add(`cjk2 : ${quote(pair)}`);
    if (pairs.length > 1) clauses.add(`cjk2 : ${quote(pairs.slice(0, MAX_TERMS).join(' '))}`);
  }
  return clauses.size === 0 ? undefined : [...clauses].join(' OR ');
}
