import { NodexError } from '../../core/errors.js';

/** What came back from the authorize step: a code and, when the page gave one, the state. */
export interface ClaudeAuthorizationCode {
  readonly code: string;
  readonly state?: string;
}

interface Params {
  readonly code?: string | null;
  readonly state?: string | null;
  readonly error?: string | null;
  readonly error_description?: string | null;
}

const failed = (message: string, providerCode?: string) =>
  new NodexError('upstream_unauthorized', message, {
    provider: 'anthropic',
    ...(providerCode ? { providerCode } : {}),
  });

/**
 * Checks redirect parameters against the login's `state` (state first: an answer that is not ours
 * must not decide what the user is told) and returns the code. Messages never hold the code.
 *
 * @example
 * claudeCodeFromParams({ code: 'abc', state: 'xyz' }, 'xyz'); // { code: 'abc', state: 'xyz' }
 */
export function claudeCodeFromParams(params: Params, expectedState: string): ClaudeAuthorizationCode {
  if (params.state && params.state !== expectedState)
    throw failed('sign-in failed: the answer does not belong to this login (state mismatch); start again');
  if (params.error) {
    const detail = params.error_description ? `: ${params.error_description.slice(0, 200)}` : '';
    const hint = params.error === 'access_denied' ? ' (sign-in was cancelled or refused)' : '';
    throw failed(`sign-in failed: ${params.error}${detail}${hint}`, params.error);
  }
  if (!params.state) throw failed('sign-in failed: the answer has no state; start the login again');
  if (!params.code) throw failed('sign-in failed: the answer has no authorization code');
  return { code: params.code, state: params.state };
}

/**
 * Reads what the user pasted in the manual flow (wire.md §4.1): the `code#state` the Claude page
 * shows, a bare code, or a full redirect URL with `?code=…&state=…`. Quotes and whitespace are
 * ignored. A state that does not match throws; a bare code is accepted with our own state.
 *
 * @example
 * parsePastedClaudeCode('abc#xyz', 'xyz'); // { code: 'abc', state: 'xyz' }
 */
export function parsePastedClaudeCode(text: string, expectedState: string): ClaudeAuthorizationCode {
  const trimmed = text.trim().replace(/^["'<]+|["'>]+$/g, '');
  if (trimmed === '') throw failed('sign-in failed: nothing was pasted');
  if (/^https?:\/\//i.test(trimmed) || trimmed.includes('code=')) {
    const query = trimmed.includes('?') ? trimmed.slice(trimmed.indexOf('?')) : trimmed;
    const params = new URLSearchParams(query.split('#')[0]);
    return claudeCodeFromParams(
      {
        code: params.get('code'),
        state: params.get('state'),
        error: params.get('error'),
        error_description: params.get('error_description'),
      },
      expectedState,
    );
  }
  const [code = '', state] = trimmed.split('#');
  return claudeCodeFromParams({ code, state: state ?? expectedState }, expectedState);
}
