/** The fields every OAuth credential has, whatever store it lives in. Secrets: never log them. */
export interface OAuthCredentials {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** ChatGPT account id, when the provider has one. */
  readonly accountId?: string;
  /** Access-token expiry, epoch milliseconds, when known. */
  readonly expiresAt?: number;
}

/** Who owns a store: nodex deletes only its own credentials on logout. */
export type StoreOwner = 'nodex' | 'codex-cli' | 'oauth-codex' | 'claude-code';

/** Where credentials live, for `auth status` and messages. Never secret. */
export interface StoreDescription {
  /** `nodex-file`, `nodex-keyring`, `codex-cli`, `oauth-codex`, `oauth-codex-legacy`. */
  readonly kind: string;
  readonly owner: StoreOwner;
  /** A path, or `keyring service/account`. */
  readonly location: string;
}

/**
 * One place credentials are kept. `load` returns undefined when there are none and throws a
 * NodexError naming the place when they cannot be read; `save` is atomic; `delete` says whether
 * anything was removed.
 */
export interface CredentialStore<C> {
  /** Cheap and synchronous: whether the store holds something (a file exists, a keyring entry is set). */
  exists(): boolean;
  load(): Promise<C | undefined>;
  save(credentials: C): Promise<void>;
  delete(): Promise<boolean>;
  describe(): StoreDescription;
}
