import type { Env } from '../../config/paths.js';
import type { CredentialStore, StoreDescription } from '../credential-store.js';
import type { ClaudeCredentials } from './claude-credentials.js';
import { CLAUDE_CODE_OWNER } from './claude-file-store.js';

/** Claude Code's variable for a bare OAuth access token (`claude setup-token`; wire.md §4.3). */
export const CLAUDE_CODE_OAUTH_TOKEN_ENV = 'CLAUDE_CODE_OAUTH_TOKEN';

/**
 * `CLAUDE_CODE_OAUTH_TOKEN`: a bare access token with no refresh token and no known expiry. It is
 * used as is; a 401 cannot be recovered from (the TokenCache then says to log in). Read-only:
 * `save` and `delete` do nothing.
 *
 * @example
 * const store = new ClaudeEnvTokenStore(process.env);
 * if (store.exists()) console.log('using', store.describe().location);
 */
export class ClaudeEnvTokenStore implements CredentialStore<ClaudeCredentials> {
  constructor(private readonly env: Env) {}

  exists(): boolean {
    return Boolean(this.env[CLAUDE_CODE_OAUTH_TOKEN_ENV]?.trim());
  }

  async load(): Promise<ClaudeCredentials | undefined> {
    const token = this.env[CLAUDE_CODE_OAUTH_TOKEN_ENV]?.trim();
    return token ? { accessToken: token } : undefined;
  }

  async save(): Promise<void> {
    // Nothing to write: the variable belongs to the user's environment.
  }

  async delete(): Promise<boolean> {
    return false;
  }

  describe(): StoreDescription {
    return { kind: 'claude-code-env', owner: CLAUDE_CODE_OWNER, location: CLAUDE_CODE_OAUTH_TOKEN_ENV };
  }
}
