import { existsSync } from 'node:fs';
import { z } from 'zod';
import { readTextIfExists, removeFile, withFileLock, writeFileAtomic } from '../atomic-file.js';
import { credentialFileError, describeJsonProblem, describeSchemaProblem } from '../credential-file-error.js';
import type { CredentialStore, StoreDescription } from '../credential-store.js';
import { type CodexCredentials, codexAccountId, codexExpiresAt } from './codex-credentials.js';

/**
 * oauth-codex's `OAuthTokens` as its FileTokenStore writes them (seeds-spec §B.2): `expires_at` and
 * `last_refresh` are float epoch seconds. Loose, so fields we do not know survive a write-back.
 */
const OAuthCodexFileSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().nullish(),
  id_token: z.string().nullish(),
  api_key: z.string().nullish(),
  token_type: z.string().nullish(),
  scope: z.string().nullish(),
  expires_at: z.number().nullish(),
  account_id: z.string().nullish(),
  last_refresh: z.union([z.number(), z.string()]).nullish(),
});

function seconds(value: number | string | null | undefined): number | undefined {
  if (typeof value === 'number') return value * 1000;
  const parsed = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Imports the credentials of oauth-codex (`~/.oauth_codex/auth.json`, and the legacy
 * `~/.codex_oauth_llm/auth.json` of its 0.x versions) so its users need not log in again; refreshed
 * tokens are written back in oauth-codex's own format, atomically, unknown fields kept.
 *
 * @example
 * const store = new OAuthCodexStore(join(home, '.oauth_codex', 'auth.json'), 'oauth-codex');
 */
export class OAuthCodexStore implements CredentialStore<CodexCredentials> {
  constructor(
    readonly path: string,
    private readonly kind: 'oauth-codex' | 'oauth-codex-legacy',
    private readonly now: () => number = Date.now,
  ) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  async load(): Promise<CodexCredentials | undefined> {
    const text = await readTextIfExists(this.path);
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw credentialFileError(this.path, describeJsonProblem(error, text));
    }
    const parsed = OAuthCodexFileSchema.safeParse(json);
    if (!parsed.success) throw credentialFileError(this.path, describeSchemaProblem(parsed.error));
    const data = parsed.data;
    const idToken = data.id_token ?? undefined;
    const accountId = codexAccountId(data.account_id, idToken, data.access_token);
    const lastRefresh = seconds(data.last_refresh);
    const expiresAt = codexExpiresAt(data.access_token, seconds(data.expires_at), undefined);
    return {
      accessToken: data.access_token,
      ...(data.refresh_token ? { refreshToken: data.refresh_token } : {}),
      ...(idToken ? { idToken } : {}),
      ...(accountId ? { accountId } : {}),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(lastRefresh === undefined ? {} : { lastRefresh }),
    };
  }

  async save(credentials: CodexCredentials): Promise<void> {
    await withFileLock(this.path, async () => {
      const text = await readTextIfExists(this.path);
      let raw: Record<string, unknown> = {};
      try {
        const value: unknown = text === undefined ? undefined : JSON.parse(text);
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          raw = { ...(value as Record<string, unknown>) };
      } catch {
        raw = {};
      }
      const lastRefresh = credentials.lastRefresh ?? this.now();
      raw.access_token = credentials.accessToken;
      if (credentials.refreshToken) raw.refresh_token = credentials.refreshToken;
      if (credentials.idToken) raw.id_token = credentials.idToken;
      if (credentials.accountId) raw.account_id = credentials.accountId;
      raw.token_type ??= 'Bearer';
      raw.expires_at = credentials.expiresAt === undefined ? null : credentials.expiresAt / 1000;
      // Keep the type oauth-codex wrote: float seconds (its dataclass), or ISO text if it was text.
      raw.last_refresh =
        typeof raw.last_refresh === 'string' ? new Date(lastRefresh).toISOString() : lastRefresh / 1000;
      await writeFileAtomic(this.path, JSON.stringify(raw, null, 2), 0o600);
    });
  }

  /** Removes the file. `nodex logout` never calls this: the file belongs to oauth-codex. */
  async delete(): Promise<boolean> {
    return removeFile(this.path);
  }

  describe(): StoreDescription {
    return { kind: this.kind, owner: 'oauth-codex', location: this.path };
  }
}
