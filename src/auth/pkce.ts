import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from 'oauth4webapi';

/** A PKCE pair (RFC 7636, S256) plus the `state` that ties a callback to this login. Secrets: never log. */
export interface PkceSession {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: 'S256';
  readonly state: string;
}

/**
 * Creates a fresh verifier (32 random bytes, base64url), its S256 challenge and a random state, as
 * Codex does (wire.md §1.2).
 *
 * @example
 * const { verifier, challenge, state } = await createPkceSession();
 */
export async function createPkceSession(): Promise<PkceSession> {
  const verifier = generateRandomCodeVerifier();
  return {
    verifier,
    challenge: await calculatePKCECodeChallenge(verifier),
    method: 'S256',
    state: generateRandomState(),
  };
}
