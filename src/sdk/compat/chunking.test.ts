import { describe, expect, it } from 'vitest';
import { chunkText, loadTokenCounter, type TokenCounter } from './chunking.js';
import type { StaticChunkingStrategy } from './types.js';

/** One token per word: makes sizes easy to reason about. */
const words: TokenCounter = (text) => text.split(/\s+/).filter(Boolean).length;

function strategy(max: number, overlap: number): StaticChunkingStrategy {
  return { type: 'static', static: { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap } };
}

const sentence = (n: number) => `Sentence number ${n} has exactly seven words.`;

describe('chunkText', () => {
  it('keeps a short text whole and drops empty input', () => {
    expect(chunkText('One. Two.', strategy(100, 50), words)).toEqual(['One. Two.']);
    expect(chunkText('  \n\n ', strategy(100, 50), words)).toEqual([]);
  });

  it('cuts on sentence boundaries, never over the size, overlapping by whole sentences', () => {
    const text = Array.from({ length: 40 }, (_, n) => sentence(n)).join(' ');
    const chunks = chunkText(text, strategy(28, 14), words);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(words(chunk)).toBeLessThanOrEqual(28);
      expect(chunk).toMatch(/^Sentence number \d+ .*words\.$/);
    }
    // Each chunk starts with the last two sentences (14 words) of the one before.
    for (let index = 1; index < chunks.length; index += 1) {
      const previous = chunks[index - 1]?.split('. ') ?? [];
      expect(chunks[index]?.startsWith(previous.slice(-2).join('. '))).toBe(true);
    }
    // Every sentence survives.
    for (let n = 0; n < 40; n += 1) expect(chunks.some((chunk) => chunk.includes(sentence(n)))).toBe(true);
  });

  it('prefers paragraph ends and keeps the text verbatim', () => {
    const text = 'Alpha beta gamma.\n\nDelta epsilon zeta eta.\n\nTheta iota.';
    expect(chunkText(text, strategy(7, 0), words)).toEqual([
      'Alpha beta gamma.\n\nDelta epsilon zeta eta.',
      'Theta iota.',
    ]);
  });

  it('splits a sentence longer than a chunk at whitespace, and an unbroken run by characters', () => {
    const long = Array.from({ length: 25 }, (_, n) => `w${n}`).join(' ');
    const chunks = chunkText(long, strategy(10, 0), words);
    expect(chunks.map(words)).toEqual([10, 10, 5]);
    const perChar: TokenCounter = (text) => Array.from(text).length;
    const cjk = '東京は日本の首都です東京は日本の首都です東京は日本の首都です';
    const pieces = chunkText(cjk, strategy(8, 0), perChar);
    expect(pieces.join('')).toBe(cjk);
    for (const piece of pieces) expect(perChar(piece)).toBeLessThanOrEqual(8);
  });

  it('always moves forward, even when the overlap would fill a chunk', () => {
    const text = Array.from({ length: 12 }, (_, n) => `Word${n} a b c d.`).join(' ');
    const chunks = chunkText(text, strategy(10, 5), words);
    expect(chunks.length).toBeLessThan(12);
    expect(chunks.at(-1)).toContain('Word11');
  });

  it('counts real o200k tokens with the default 800/400 strategy', async () => {
    const count = await loadTokenCounter();
    const text = Array.from({ length: 400 }, (_, n) => sentence(n)).join(' ');
    const chunks = chunkText(text, strategy(800, 400), count);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(count(chunk)).toBeLessThanOrEqual(805);
  });
});
