import type { z } from 'zod';
import { NodexError } from '../core/errors.js';

/** Line and column of a character offset, 1-based. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * Says what is wrong with text that did not parse as JSON, without quoting it: V8's own messages
 * can contain a slice of the file, which here is a token (`Unexpected token 'x', "{"a": x…`).
 */
export function describeJsonProblem(error: unknown, text: string): string {
  if (text.trim() === '') return 'the file is empty';
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input|Unterminated string/i.test(message))
    return 'the JSON ends early (is the file truncated?)';
  const position = /at position (\d+)/.exec(message)?.[1];
  return `it is not valid JSON${position === undefined ? '' : ` (${lineColumn(text, Number(position))})`}`;
}

/** Says what a schema rejected: key path and expected type, never the value. */
export function describeSchemaProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected content';
  const path = issue.path.map(String).join('.') || '(top level)';
  const message = issue.message.replace(/^Invalid input: /, '');
  return `${path}: ${message}`;
}

/**
 * The error for a credentials file nodex cannot use: names the file and the problem, holds no
 * secret and no stack of ours (the CLI prints `error: <message> (credentials_missing)`).
 *
 * @example
 * throw credentialFileError('/home/me/.codex/auth.json', 'the JSON ends early (is the file truncated?)');
 */
export function credentialFileError(path: string, problem: string): NodexError {
  return new NodexError(
    'credentials_missing',
    `cannot use the credentials in ${path}: ${problem}; fix or remove the file, or run \`nodex login codex\``,
    { provider: 'codex' },
  );
}
