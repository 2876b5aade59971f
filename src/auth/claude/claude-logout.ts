import type { StoreDescription } from '../credential-store.js';
import { type ClaudeSourceOptions, claudeCredentialStores } from './claude-credential-sources.js';

export interface ClaudeLogoutResult {
  /** nodex's own store, when it held credentials and they were deleted. */
  readonly removed?: StoreDescription;
  /** Claude Code's file or `CLAUDE_CODE_OAUTH_TOKEN`, when they hold a login: left alone, used next. */
  readonly kept: readonly StoreDescription[];
}

/**
 * Logs nodex out of Claude: deletes nodex's own stored credentials. Anthropic publishes no token
 * revocation endpoint for Claude Code (wire.md §4.2 lists none), so nothing is revoked. Claude
 * Code's file and `CLAUDE_CODE_OAUTH_TOKEN` are never touched (that would log Claude Code out);
 * they are listed in `kept`.
 *
 * @example
 * const { removed, kept } = await logoutClaude({ env: process.env });
 */
export async function logoutClaude(options: ClaudeSourceOptions): Promise<ClaudeLogoutResult> {
  const [own, ...others] = claudeCredentialStores(options);
  let removed: StoreDescription | undefined;
  if (own) {
    const description = own.describe();
    if (await own.delete()) removed = description;
  }
  return {
    ...(removed ? { removed } : {}),
    kept: others.filter((store) => store.exists()).map((store) => store.describe()),
  };
}
