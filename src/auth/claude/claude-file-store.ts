import { existsSync, readFileSync } from 'node:fs';
import { readTextIfExists, removeFile, withFileLock, writeFileAtomic } from '../atomic-file.js';
import type { CredentialStore, StoreDescription, StoreOwner } from '../credential-store.js';
import type { ClaudeCredentials } from './claude-credentials.js';
import { mergeClaudeCredentialsFile, parseClaudeCredentialsFile } from './claude-credentials-file.js';

/**
 * Claude Code owns `.credentials.json` and `CLAUDE_CODE_OAUTH_TOKEN`. `StoreOwner` (auth/
 * credential-store.ts) does not list it yet; the lead widens the union, until then the value is
 * cast. Only `logout` reads the owner: nodex deletes nothing that is not `nodex`.
 */
export const CLAUDE_CODE_OWNER: StoreOwner = 'claude-code';

export interface ClaudeFileStoreOptions {
  readonly path: string;
  /** `claude-code` for `$CLAUDE_CONFIG_DIR/.credentials.json`, `nodex-file` for nodex's own copy. */
  readonly kind: 'claude-code' | 'nodex-file';
}

/**
 * Claude credentials in Claude Code's `.credentials.json` format (wire.md §4.3): Claude Code's own
 * file, shared with it, or nodex's `NODEX_HOME/credentials/claude.json` (same format, so it could be
 * copied over). Saves lock the file (`<file>.lock`), re-read it, merge the tokens in (every other
 * field and top-level key kept), keep its layout (compact or indented), and replace it atomically
 * with mode 0600.
 *
 * @example
 * const store = new ClaudeFileStore({ path: claudeCodeCredentialsPath(env), kind: 'claude-code' });
 * const credentials = await store.load();
 */
export class ClaudeFileStore implements CredentialStore<ClaudeCredentials> {
  readonly path: string;
  readonly kind: ClaudeFileStoreOptions['kind'];

  constructor(options: ClaudeFileStoreOptions) {
    this.path = options.path;
    this.kind = options.kind;
  }

  /**
   * Whether the file holds a Claude login. Claude Code's file may hold only other keys (MCP OAuth
   * entries after an API-key login): valid JSON without `claudeAiOauth` does not count, so the next
   * source is used. A file that does not parse counts, so its error reaches the user.
   */
  exists(): boolean {
    if (!existsSync(this.path)) return false;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return true; // unreadable: load() names the file and the problem
    }
    try {
      const json: unknown = JSON.parse(text);
      return typeof json !== 'object' || json === null || 'claudeAiOauth' in json;
    } catch {
      return true;
    }
  }

  async load(): Promise<ClaudeCredentials | undefined> {
    const text = await readTextIfExists(this.path);
    return text === undefined ? undefined : parseClaudeCredentialsFile(text, this.path);
  }

  async save(credentials: ClaudeCredentials): Promise<void> {
    await withFileLock(this.path, async () => {
      const text = await readTextIfExists(this.path);
      let existing: unknown;
      try {
        existing = text === undefined ? undefined : JSON.parse(text);
      } catch {
        existing = undefined; // unreadable: replaced by a valid file rather than left broken
      }
      const merged = mergeClaudeCredentialsFile(existing, credentials, {
        withAccount: this.kind === 'nodex-file',
      });
      // Claude Code writes the file compact; keep whichever layout the file had.
      const indented = text === undefined ? this.kind === 'nodex-file' : text.trimEnd().includes('\n');
      const out = indented ? `${JSON.stringify(merged, null, 2)}\n` : JSON.stringify(merged);
      await writeFileAtomic(this.path, out, 0o600);
    });
  }

  async delete(): Promise<boolean> {
    return removeFile(this.path);
  }

  describe(): StoreDescription {
    const owner: StoreOwner = this.kind === 'claude-code' ? CLAUDE_CODE_OWNER : 'nodex';
    return { kind: this.kind, owner, location: this.path };
  }
}
