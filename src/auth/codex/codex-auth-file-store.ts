import { existsSync } from 'node:fs';
import { readTextIfExists, removeFile, withFileLock, writeFileAtomic } from '../atomic-file.js';
import type { CredentialStore, StoreDescription, StoreOwner } from '../credential-store.js';
import { mergeCodexAuthFile, parseCodexAuthFile } from './codex-auth-file.js';
import type { CodexCredentials } from './codex-credentials.js';

export interface CodexAuthFileStoreOptions {
  readonly path: string;
  /** `codex-cli` for `$CODEX_HOME/auth.json`, `nodex-file` for nodex's own copy. */
  readonly kind: 'codex-cli' | 'nodex-file';
  readonly now?: () => number;
}

/**
 * Credentials in the Codex CLI's auth.json format (wire.md §1.5): `$CODEX_HOME/auth.json`, shared
 * with the Codex CLI, or nodex's own `NODEX_HOME/credentials/codex.json`, which uses the same format
 * plus `expires_at`. Saves lock the file, re-read it, merge the tokens in (unknown fields kept),
 * then replace it atomically with mode 0600.
 *
 * @example
 * const store = new CodexAuthFileStore({ path: join(codexHome, 'auth.json'), kind: 'codex-cli' });
 * const credentials = await store.load();
 */
export class CodexAuthFileStore implements CredentialStore<CodexCredentials> {
  readonly path: string;
  private readonly kind: CodexAuthFileStoreOptions['kind'];
  private readonly now: () => number;

  constructor(options: CodexAuthFileStoreOptions) {
    this.path = options.path;
    this.kind = options.kind;
    this.now = options.now ?? Date.now;
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  async load(): Promise<CodexCredentials | undefined> {
    const text = await readTextIfExists(this.path);
    return text === undefined ? undefined : parseCodexAuthFile(text, this.path).credentials;
  }

  async save(credentials: CodexCredentials): Promise<void> {
    await withFileLock(this.path, async () => {
      const text = await readTextIfExists(this.path);
      let existing: unknown;
      try {
        existing = text === undefined ? undefined : JSON.parse(text);
      } catch {
        existing = undefined; // unreadable: replaced by a valid file rather than left broken
      }
      const merged = mergeCodexAuthFile(existing, credentials, {
        now: this.now(),
        withExpiry: this.kind === 'nodex-file',
      });
      await writeFileAtomic(this.path, `${JSON.stringify(merged, null, 2)}\n`, 0o600);
    });
  }

  async delete(): Promise<boolean> {
    return removeFile(this.path);
  }

  describe(): StoreDescription {
    const owner: StoreOwner = this.kind === 'codex-cli' ? 'codex-cli' : 'nodex';
    return { kind: this.kind, owner, location: this.path };
  }
}
