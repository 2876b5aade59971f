import { NodexError } from '../core/errors.js';
import type { CredentialStore, OAuthCredentials } from './credential-store.js';
import { type RefreshLock, refreshLockName } from './refresh-lock.js';
import type { AccessToken, TokenSource } from './token-source.js';

export interface TokenCacheOptions<C extends OAuthCredentials> {
  readonly store: CredentialStore<C>;
  /** Exchanges the refresh token; throws NodexError `credentials_expired` when it is permanently dead. */
  readonly refresh: (current: C) => Promise<C>;
  readonly toAccessToken: (credentials: C) => AccessToken;
  /** Refresh when the token expires within this window. */
  readonly refreshAheadMs: number;
  /** Appended to credential errors: "run `nodex login codex`". */
  readonly loginHint: string;
  readonly provider: string;
  readonly now?: () => number;
  /** Non-fatal problems (a refreshed token that could not be saved). */
  readonly onWarning?: (message: string) => void;
  /** Called after each successful refresh (the SDK's `onAuthRefresh` hook). */
  readonly onRefresh?: (credentials: C) => void;
  /**
   * Held around every refresh (named by `refreshLockName`) when other processes share these
   * credentials, as gateway instances do: inside it the store is re-read, and tokens another holder
   * saved meanwhile are adopted instead of spending the refresh token again.
   */
  readonly lock?: RefreshLock;
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts (the shared work goes on for others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new NodexError('aborted', 'the request was cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new NodexError('aborted', 'the request was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Credentials as a function (DESIGN.md §4, wire.md §7 item 13): loads once from a store, refreshes
 * ahead of expiry with ONE refresh in flight however many callers wait, saves the rotated refresh
 * token before anyone gets the new access token, and on a dead refresh token re-reads the store,
 * because another process that shares it may have refreshed first. With `lock`, refreshes are also
 * single-flight across processes: take the lock, re-read the store, adopt what is there if it is
 * newer and not due, else refresh and save; then release.
 *
 * @example
 * const source = new TokenCache({ store, refresh: (c) => refreshCodexCredentials(settings, c),
 *   toAccessToken: codexAccessToken, refreshAheadMs: 300_000, loginHint: 'run `nodex login codex`', provider: 'codex' });
 * const { accessToken, accountId } = await source.getToken();
 */
export class TokenCache<C extends OAuthCredentials> implements TokenSource {
  readonly description: string;
  private current: C | undefined;
  private loading: Promise<C> | undefined;
  private refreshing: Promise<C> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TokenCacheOptions<C>) {
    this.description = options.store.describe().location;
    this.now = options.now ?? Date.now;
  }

  async getToken(signal?: AbortSignal): Promise<AccessToken> {
    const credentials = await untilAborted(this.load(), signal);
    if (!this.isDue(credentials)) return this.options.toAccessToken(credentials);
    return this.options.toAccessToken(await untilAborted(this.refreshOnce(credentials), signal));
  }

  async refreshAfterReject(rejectedAccessToken: string, signal?: AbortSignal): Promise<AccessToken> {
    const credentials = await untilAborted(this.load(), signal);
    // Someone already moved on from the rejected token (another caller's refresh): use theirs.
    if (credentials.accessToken !== rejectedAccessToken) return this.options.toAccessToken(credentials);
    return this.options.toAccessToken(await untilAborted(this.refreshOnce(credentials), signal));
  }

  /**
   * Refreshes now when the token is due (or always, with `force`), single-flight with every other
   * caller; resolves to whether a refresh happened.
   */
  async refreshIfNeeded(force = false, signal?: AbortSignal): Promise<boolean> {
    const credentials = await untilAborted(this.load(), signal);
    if (!force && !this.isDue(credentials)) return false;
    await untilAborted(this.refreshOnce(credentials), signal);
    return true;
  }

  private isDue(credentials: C): boolean {
    const expiresAt = credentials.expiresAt;
    return expiresAt !== undefined && expiresAt - this.options.refreshAheadMs <= this.now();
  }

  private expired(message: string, cause?: NodexError): NodexError {
    return new NodexError('credentials_expired', `${message}; ${this.options.loginHint}`, {
      provider: this.options.provider,
      ...(cause?.providerCode ? { providerCode: cause.providerCode } : {}),
      ...(cause ? { cause } : {}),
    });
  }

  private load(): Promise<C> {
    if (this.current) return Promise.resolve(this.current);
    this.loading ??= this.options.store
      .load()
      .then((loaded) => {
        if (!loaded) {
          const where = this.options.store.describe().location;
          throw new NodexError(
            'credentials_missing',
            `no credentials in ${where}; ${this.options.loginHint}`,
            {
              provider: this.options.provider,
            },
          );
        }
        this.current ??= loaded;
        return this.current;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Single flight: every caller that finds the token due while a refresh runs joins that refresh. */
  private refreshOnce(stale: C): Promise<C> {
    this.refreshing ??= this.refreshLocked(stale).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** `refreshFrom` under the shared lock, when there is one; its first step re-reads the store. */
  private refreshLocked(stale: C): Promise<C> {
    const lock = this.options.lock;
    if (!lock) return this.refreshFrom(stale, true);
    const name = refreshLockName(this.options.provider, stale.accountId, this.description);
    return lock.withLock(name, () => this.refreshFrom(stale, true));
  }

  /** The store's credentials when they differ from `stale` and belong to the same account. */
  private async newerInStore(stale: C): Promise<C | undefined> {
    const stored = await this.options.store.load().catch(() => undefined);
    if (!stored) return undefined;
    const changed = stored.accessToken !== stale.accessToken || stored.refreshToken !== stale.refreshToken;
    // As Codex's UnauthorizedRecovery: only adopt a reload for the same account (wire.md §1.4).
    const sameAccount = !stored.accountId || !stale.accountId || stored.accountId === stale.accountId;
    return changed && sameAccount ? stored : undefined;
  }

  private async refreshFrom(cached: C, firstTry: boolean): Promise<C> {
    // Re-read before spending the refresh token: if another process (the Codex CLI, another nodex)
    // already rotated it, reusing the old one fails and may revoke the whole token family.
    const reloaded = firstTry ? await this.newerInStore(cached) : undefined;
    if (reloaded && !this.isDue(reloaded)) return this.adopt(reloaded);
    const stale = reloaded ?? cached;
    if (!stale.refreshToken) throw this.expired('the access token expired and there is no refresh token');
    let next: C;
    try {
      next = await this.options.refresh(stale);
    } catch (error) {
      if (!NodexError.isInstance(error) || error.code !== 'credentials_expired') throw error;
      // `refresh_token_reused` and friends: another process may have stored the rotated token meanwhile.
      const newer = await this.newerInStore(stale);
      if (newer && !this.isDue(newer)) return this.adopt(newer);
      if (newer && firstTry && newer.refreshToken !== stale.refreshToken)
        return this.refreshFrom(newer, false);
      throw this.expired(error.message, error);
    }
    // Persist first: the old refresh token is dead now, so losing the new one means a new login.
    try {
      await this.options.store.save(next);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.onWarning?.(
        `could not save the refreshed ${this.options.provider} credentials to ${this.description} (${reason}); ` +
          'they work until this process exits',
      );
    }
    try {
      this.options.onRefresh?.(next);
    } catch {
      // a notification hook must not break the refresh
    }
    return this.adopt(next);
  }

  private adopt(credentials: C): C {
    this.current = credentials;
    return credentials;
  }
}
