import { readFileSync } from 'node:fs';

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** Reads a fixture file from src/testing/fixtures as text. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** Reads and parses a JSON fixture. */
export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** Reads a `.events.jsonl` fixture: the canonical v1 events an upstream fixture decodes to. */
export function fixtureEvents<T = unknown>(name: string): T[] {
  return fixtureText(name)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/**
 * Splits SSE text into frames (each ending with its blank line) byte-for-byte, so a replay sends
 * exactly what the fixture holds, one frame at a time.
 */
export function splitSseFrames(text: string): string[] {
  const frames: string[] = [];
  const re = /\r?\n\r?\n|\r\r/g;
  let start = 0;
  for (let match = re.exec(text); match; match = re.exec(text)) {
    const end = match.index + match[0].length;
    if (text.slice(start, match.index).trim() !== '') frames.push(text.slice(start, end));
    start = end;
  }
  if (text.slice(start).trim() !== '') frames.push(`${text.slice(start)}\n\n`);
  return frames;
}
