import { createRequire } from 'node:module';

/** The few OS keyring calls nodex makes; injectable so tests can simulate a working or broken keyring. */
export interface KeyringBackend {
  getPassword(service: string, account: string): string | null | undefined;
  setPassword(service: string, account: string, secret: string): void;
  deletePassword(service: string, account: string): boolean;
}

interface NapiEntry {
  getPassword(): string | null | undefined;
  setPassword(secret: string): void;
  deletePassword(): boolean;
}

interface NapiKeyringModule {
  Entry: new (service: string, account: string) => NapiEntry;
}

/**
 * Loads @napi-rs/keyring (an optional dependency) on first use; undefined when it is not installed.
 * Loading is cheap, but every call may fail (no Secret Service on a headless Linux box answers
 * `AccessDenied`: research/deps.md §2), so callers probe before trusting it.
 */
export function loadSystemKeyring(): KeyringBackend | undefined {
  let module: NapiKeyringModule;
  try {
    module = createRequire(import.meta.url)('@napi-rs/keyring') as NapiKeyringModule;
  } catch {
    return undefined;
  }
  return {
    getPassword: (service, account) => new module.Entry(service, account).getPassword(),
    setPassword: (service, account, secret) => new module.Entry(service, account).setPassword(secret),
    deletePassword: (service, account) => new module.Entry(service, account).deletePassword(),
  };
}

/** Why the keyring cannot be used, or undefined when it works. Nothing in the reason is secret. */
function probe(backend: KeyringBackend | undefined, service: string): string | undefined {
  if (!backend) return '@napi-rs/keyring is not installed';
  try {
    // A read of an entry that does not exist: it succeeds with null on a working keyring and, unlike a
    // write, leaves nothing behind when the keyring is half-broken (deps.md §2).
    backend.getPassword(service, 'nodex-keyring-probe');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

/**
 * Decides once, lazily, whether the keyring works; the first time it does not, `onNotice` hears about
 * it exactly once and callers fall back to the file store.
 *
 * @example
 * const keyring = new KeyringProbe(loadSystemKeyring, (note) => io.stderr.write(`note: ${note}\n`));
 * const backend = keyring.backend('nodex', '~/.nodex/credentials/codex.json'); // undefined → use the file
 */
export class KeyringProbe {
  private result: { backend: KeyringBackend | undefined } | undefined;

  constructor(
    private readonly load: () => KeyringBackend | undefined = loadSystemKeyring,
    private readonly onNotice: (message: string) => void = () => undefined,
  ) {}

  /** The working keyring, or undefined; `fallback` names the file used instead, for the notice. */
  backend(service: string, fallback: string): KeyringBackend | undefined {
    if (!this.result) {
      const backend = this.load();
      const reason = probe(backend, service);
      this.result = { backend: reason === undefined ? backend : undefined };
      if (reason !== undefined)
        this.onNotice(
          `the OS keyring is not available (${reason}); storing credentials in ${fallback} (mode 0600)`,
        );
    }
    return this.result.backend;
  }
}
