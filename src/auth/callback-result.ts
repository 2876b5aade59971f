import { NodexError } from '../core/errors.js';

/** What the authorization server sent back to the redirect URI. */
export interface CallbackParams {
  readonly code?: string | null;
  readonly state?: string | null;
  readonly error?: string | null;
  readonly error_description?: string | null;
}

/**
 * Checks a callback against the login's `state` and returns the authorization code, or throws a
 * NodexError that says what went wrong in words the user can act on (wire.md §1.2). The error text
 * never contains the code or the state.
 *
 * @example
 * const code = authorizationCodeFrom(Object.fromEntries(url.searchParams), pkce.state);
 */
export function authorizationCodeFrom(params: CallbackParams, expectedState: string): string {
  // State first, as Codex does: an answer that is not ours must not decide what the user is told.
  if (params.state !== expectedState) {
    throw new NodexError(
      'upstream_unauthorized',
      'sign-in failed: the answer does not belong to this login (state mismatch); start the login again',
      { provider: 'codex' },
    );
  }
  if (params.error) {
    const description = params.error_description ?? '';
    if (params.error === 'access_denied' && description.includes('missing_codex_entitlement')) {
      throw new NodexError(
        'upstream_unauthorized',
        'sign-in refused: this ChatGPT workspace has no Codex access (missing_codex_entitlement); ' +
          'ask its admin to enable Codex, or sign in with another account or workspace',
        { provider: 'codex', providerCode: 'missing_codex_entitlement' },
      );
    }
    const detail = description ? `: ${description.slice(0, 200)}` : '';
    const hint = params.error === 'access_denied' ? ' (sign-in was cancelled or refused)' : '';
    throw new NodexError('upstream_unauthorized', `sign-in failed: ${params.error}${detail}${hint}`, {
      provider: 'codex',
      providerCode: params.error,
    });
  }
  if (!params.code) {
    throw new NodexError('upstream_unauthorized', 'sign-in failed: the answer has no authorization code', {
      provider: 'codex',
    });
  }
  return params.code;
}
