import { z } from 'zod';
import { credentialFileError, describeJsonProblem, describeSchemaProblem } from '../credential-file-error.js';
import { type CodexCredentials, codexAccountId, codexExpiresAt } from './codex-credentials.js';

/** godex once rewrote id_token as `{raw_jwt}` (seeds-spec §C.1 item 7): read it, write a string back. */
const IdTokenSchema = z.union([z.string(), z.looseObject({ raw_jwt: z.string() })]);

/** `$CODEX_HOME/auth.json` (wire.md §1.5). Loose: unknown fields are kept on write-back. */
export const CodexAuthFileSchema = z.looseObject({
  auth_mode: z.string().nullish(),
  OPENAI_API_KEY: z.string().nullish(),
  tokens: z
    .looseObject({
      id_token: IdTokenSchema.nullish(),
      access_token: z.string(),
      refresh_token: z.string().nullish(),
      account_id: z.string().nullish(),
    })
    .nullish(),
  last_refresh: z.string().nullish(),
  /** nodex's own store adds the expiry it learnt from `expires_in` (Codex ignores unknown fields). */
  expires_at: z.string().nullish(),
});

export type CodexAuthFile = z.output<typeof CodexAuthFileSchema>;

function time(value: string | null | undefined): number | undefined {
  const parsed = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

function rawIdToken(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  const parsed = IdTokenSchema.safeParse(value);
  return parsed.success && typeof parsed.data === 'object' ? parsed.data.raw_jwt : undefined;
}

/**
 * Parses an auth.json text. Malformed or truncated files throw an error naming `path` and the
 * problem; a file without ChatGPT tokens (API-key mode) gives `credentials: undefined`.
 *
 * @example
 * const { credentials } = parseCodexAuthFile(readFileSync(path, 'utf8'), path);
 */
export function parseCodexAuthFile(
  text: string,
  path: string,
): { readonly file: CodexAuthFile; readonly credentials: CodexCredentials | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw credentialFileError(path, describeJsonProblem(error, text));
  }
  const parsed = CodexAuthFileSchema.safeParse(json);
  if (!parsed.success) throw credentialFileError(path, describeSchemaProblem(parsed.error));
  const file = parsed.data;
  const tokens = file.tokens;
  if (!tokens?.access_token) return { file, credentials: undefined };
  const idToken = rawIdToken(tokens.id_token);
  const lastRefresh = time(file.last_refresh);
  const accountId = codexAccountId(tokens.account_id, idToken, tokens.access_token);
  const expiresAt = codexExpiresAt(tokens.access_token, time(file.expires_at), lastRefresh);
  const credentials: CodexCredentials = {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    ...(idToken ? { idToken } : {}),
    ...(accountId ? { accountId } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(lastRefresh === undefined ? {} : { lastRefresh }),
  };
  return { file, credentials };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes credentials into an existing auth.json object the way Codex's `persist_tokens` does: the
 * token fields are overwritten, `last_refresh` is set, and every other field, top-level or nested,
 * stays as it was (godex dropped them: seeds-spec §C.1 item 7). `id_token` is always a JWT string.
 */
export function mergeCodexAuthFile(
  existing: unknown,
  credentials: CodexCredentials,
  options: { readonly now: number; readonly withExpiry?: boolean },
): Record<string, unknown> {
  const raw: Record<string, unknown> = isRecord(existing) ? { ...existing } : { auth_mode: 'chatgpt' };
  const tokens: Record<string, unknown> = isRecord(raw.tokens) ? { ...raw.tokens } : {};
  const idToken = credentials.idToken ?? rawIdToken(tokens.id_token);
  if (idToken) tokens.id_token = idToken;
  tokens.access_token = credentials.accessToken;
  if (credentials.refreshToken) tokens.refresh_token = credentials.refreshToken;
  if (credentials.accountId) tokens.account_id = credentials.accountId;
  raw.tokens = tokens;
  raw.last_refresh = new Date(credentials.lastRefresh ?? options.now).toISOString();
  if (options.withExpiry) {
    if (credentials.expiresAt === undefined) delete raw.expires_at;
    else raw.expires_at = new Date(credentials.expiresAt).toISOString();
  }
  return raw;
}
