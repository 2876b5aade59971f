/** A usable upstream credential at one moment. */
export interface AccessToken {
  readonly accessToken: string;
  /** ChatGPT account id (the `ChatGPT-Account-ID` header), when the provider has one. */
  readonly accountId?: string;
  /** Expiry, epoch milliseconds, when known. */
  readonly expiresAt?: number;
  readonly planType?: string;
}

/**
 * Credentials as a function (DESIGN.md §4): providers ask for a token per request and never see
 * refresh tokens or files. Implementations refresh ahead of expiry, merge concurrent refreshes into
 * one, and persist a rotated refresh token before handing out the new access token.
 */
export interface TokenSource {
  /** Where the credentials come from, for messages (`~/.codex/auth.json`); never a secret. */
  readonly description: string;
  /** A valid token, refreshed first when expired or inside the ahead-of-expiry window. */
  getToken(signal?: AbortSignal): Promise<AccessToken>;
  /**
   * After the upstream rejected `rejectedAccessToken` with 401: refresh once (single-flight) unless
   * the token already changed meanwhile, and return the token to retry with. Throws a NodexError
   * (`credentials_expired`, `credentials_missing`) when no valid token can be had.
   */
  refreshAfterReject(rejectedAccessToken: string, signal?: AbortSignal): Promise<AccessToken>;
  /** Refreshes when due (or always, with `force`); resolves to whether it refreshed. Refreshable sources only. */
  refreshIfNeeded?(force?: boolean, signal?: AbortSignal): Promise<boolean>;
}

/** A fixed token (an API key, or tests): never refreshes. */
export class StaticTokenSource implements TokenSource {
  readonly description: string;

  constructor(
    readonly token: AccessToken,
    description = 'a static token',
  ) {
    this.description = description;
  }

  async getToken(): Promise<AccessToken> {
    return this.token;
  }

  async refreshAfterReject(): Promise<AccessToken> {
    return this.token;
  }
}
