import { join } from 'node:path';
import type { CredentialStore, StoreDescription } from '../credential-store.js';
import { type KeyringBackend, KeyringProbe } from '../keyring.js';
import { mergeCodexAuthFile, parseCodexAuthFile } from './codex-auth-file.js';
import { CodexAuthFileStore } from './codex-auth-file-store.js';
import type { CodexCredentials } from './codex-credentials.js';

const SERVICE = 'nodex';
const ACCOUNT = 'codex';

export interface NodexCodexStoreOptions {
  /** NODEX_HOME. */
  readonly home: string;
  /** `providers.codex.oauth.credential_store`; `file` by default (DESIGN.md §2: 0600 file default). */
  readonly mode?: 'file' | 'keyring';
  /** Shared probe (one notice per process); a fresh one over the system keyring by default. */
  readonly keyring?: KeyringProbe;
  readonly now?: () => number;
}

/** nodex's own credentials file: `NODEX_HOME/credentials/codex.json`. */
export function nodexCodexCredentialsPath(home: string): string {
  return join(home, 'credentials', 'codex.json');
}

/**
 * nodex's own Codex credentials: the 0600 file by default; with `credential_store: keyring`, the OS
 * keyring (service `nodex`, account `codex`, same JSON) when a probe shows it works, else the file
 * with one notice. Reads fall back to the file so a login made before switching still counts.
 *
 * @example
 * const store = createNodexCodexStore({ home: nodexHome(env), mode: 'keyring', keyring: new KeyringProbe(undefined, notify) });
 */
export function createNodexCodexStore(options: NodexCodexStoreOptions): CredentialStore<CodexCredentials> {
  const file = new CodexAuthFileStore({
    path: nodexCodexCredentialsPath(options.home),
    kind: 'nodex-file',
    ...(options.now ? { now: options.now } : {}),
  });
  if (options.mode !== 'keyring') return file;
  const probe = options.keyring ?? new KeyringProbe();
  const now = options.now ?? Date.now;
  const keyring = (): KeyringBackend | undefined => probe.backend(SERVICE, file.path);
  const location = `OS keyring (service ${SERVICE}, account ${ACCOUNT})`;
  return {
    exists: () => Boolean(keyring()?.getPassword(SERVICE, ACCOUNT)) || file.exists(),
    async load() {
      const text = keyring()?.getPassword(SERVICE, ACCOUNT);
      return text ? parseCodexAuthFile(text, location).credentials : file.load();
    },
    async save(credentials) {
      const backend = keyring();
      if (!backend) return file.save(credentials);
      const merged = mergeCodexAuthFile(undefined, credentials, { now: now(), withExpiry: true });
      backend.setPassword(SERVICE, ACCOUNT, JSON.stringify(merged));
    },
    async delete() {
      const backend = keyring();
      const fromKeyring = backend ? backend.deletePassword(SERVICE, ACCOUNT) : false;
      const fromFile = await file.delete();
      return fromKeyring || fromFile;
    },
    describe(): StoreDescription {
      return keyring() ? { kind: 'nodex-keyring', owner: 'nodex', location } : file.describe();
    },
  };
}
