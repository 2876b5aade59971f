import type { StaticChunkingStrategy } from './types.js';

/** Counts the tokens of a piece of text. */
export type TokenCounter = (text: string) => number;

let counter: Promise<TokenCounter> | undefined;

/**
 * The o200k_base counter (GPT-4o/GPT-5 tokenizer), loaded on first use: its tables take ~200 ms
 * and tens of MB, which only callers that index files should pay.
 */
export function loadTokenCounter(): Promise<TokenCounter> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then(
    (module) => (text: string) => module.countTokens(text),
  );
  return counter;
}

/** A contiguous range of the source text and its token count. */
interface Unit {
  start: number;
  end: number;
  tokens: number;
}

const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/** Splits a range that is larger than a chunk: at whitespace, then (a giant "word") by halving. */
function splitOversize(text: string, start: number, end: number, max: number, count: TokenCounter): Unit[] {
  const tokens = count(text.slice(start, end));
  if (tokens <= max) return [{ start, end, tokens }];
  const piece = text.slice(start, end);
  const words = [...piece.matchAll(/\S+\s*/gu)];
  if (words.length > 1) {
    return words.flatMap((word) => {
      const from = start + (word.index ?? 0);
      return splitOversize(text, from, from + word[0].length, max, count);
    });
  }
  // One unbroken run (CJK without punctuation, base64…): halve on a code point boundary.
  const chars = Array.from(piece);
  if (chars.length < 2) return [{ start, end, tokens }];
  const middle = start + chars.slice(0, chars.length >> 1).join('').length;
  return [...splitOversize(text, start, middle, max, count), ...splitOversize(text, middle, end, max, count)];
}

/** The [start, end) ranges of the paragraphs (blank-line separated). */
function paragraphs(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (const separator of text.matchAll(/\n[ \t]*\n/g)) {
    ranges.push([start, separator.index]);
    start = separator.index + separator[0].length;
  }
  ranges.push([start, text.length]);
  return ranges;
}

/** Paragraphs, then sentences (Intl.Segmenter: handles `。`, `!`, `?`, abbreviations…). */
function units(text: string, max: number, count: TokenCounter): Unit[] {
  const result: Unit[] = [];
  for (const [from, to] of paragraphs(text)) {
    for (const sentence of sentences.segment(text.slice(from, to))) {
      if (sentence.segment.trim() === '') continue;
      const start = from + sentence.index;
      result.push(...splitOversize(text, start, start + sentence.segment.length, max, count));
    }
  }
  return result;
}

/**
 * Splits text into overlapping chunks for indexing (OpenAI's static strategy). Chunks end on
 * sentence or paragraph boundaries; a sentence longer than a chunk is cut at whitespace. Each chunk
 * holds at most `max_chunk_size_tokens` and the next one repeats up to `chunk_overlap_tokens` of
 * its tail, so a passage cut by a boundary is still found whole. Token counts are exact per unit
 * (sentence) and summed per chunk, so a chunk may be off by a token or two where BPE merges across
 * a boundary.
 *
 * @example
 * chunkText(longText, { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } }, count);
 */
export function chunkText(text: string, strategy: StaticChunkingStrategy, count: TokenCounter): string[] {
  const { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap } = strategy.static;
  const all = units(text, max, count);
  const chunks: string[] = [];
  let first = 0;
  while (first < all.length) {
    // Take units while they fit; the first always goes in (units are never larger than a chunk).
    let next = first;
    let tokens = 0;
    while (next < all.length) {
      const size = all[next]?.tokens ?? 0;
      if (next > first && tokens + size > max) break;
      tokens += size;
      next += 1;
    }
    const from = all[first]?.start ?? 0;
    const to = all[next - 1]?.end ?? from;
    chunks.push(text.slice(from, to).trim());
    const following = all[next];
    if (!following) break;
    // Walk back for the overlap, leaving room for the next new unit so every chunk adds text.
    const budget = Math.min(overlap, max - following.tokens);
    let start = next;
    let carried = 0;
    while (start - 1 > first && carried + (all[start - 1]?.tokens ?? 0) <= budget) {
      carried += all[start - 1]?.tokens ?? 0;
      start -= 1;
    }
    first = start;
  }
  return chunks;
}
