import { NodexError } from '../../core/errors.js';

/** What the user is told to do when Claude credentials are missing or dead. */
export const CLAUDE_LOGIN_HINT = 'run `nodex login claude`';

/**
 * The error for a Claude credentials file nodex cannot use: names the file and the problem (from
 * `describeJsonProblem` / `describeSchemaProblem`), never its content.
 *
 * @example
 * throw claudeCredentialFileError('/home/me/.claude/.credentials.json', 'the JSON ends early (is the file truncated?)');
 */
export function claudeCredentialFileError(path: string, problem: string): NodexError {
  return new NodexError(
    'credentials_missing',
    `cannot use the credentials in ${path}: ${problem}; fix or remove the file, or ${CLAUDE_LOGIN_HINT}`,
    { provider: 'anthropic' },
  );
}
