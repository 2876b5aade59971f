import { z } from 'zod';
import { describeJsonProblem, describeSchemaProblem } from '../credential-file-error.js';
import { claudeCredentialFileError } from './claude-credential-error.js';
import type { ClaudeCredentials } from './claude-credentials.js';

/** Epoch milliseconds, or an RFC 3339 string (older writers: seeds-spec §A.14). */
const TimeSchema = z.union([z.number().finite(), z.string()]);

/** `claudeAiOauth` of `.credentials.json` (wire.md §4.3). Loose: unknown fields are kept on write-back. */
const OAuthEntrySchema = z.looseObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().nullish(),
  expiresAt: TimeSchema.nullish(),
  refreshTokenExpiresAt: TimeSchema.nullish(),
  scopes: z.array(z.string()).nullish(),
  subscriptionType: z.string().nullish(),
  rateLimitTier: z.string().nullish(),
});

/** The whole file: other top-level keys (`mcpOAuth`, `enterpriseGateway`, …) are kept as they are. */
export const ClaudeCredentialsFileSchema = z.looseObject({
  claudeAiOauth: OAuthEntrySchema.nullish(),
});

/** Epoch ms from a stored time; a value below 1e11 is read as seconds (a hand-edited file). */
export function claudeTime(value: number | string | null | undefined): number | undefined {
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Parses a `.credentials.json` text. Malformed or truncated files throw `credentials_missing` naming
 * `path` and the problem (never the content); a file without `claudeAiOauth` gives undefined.
 *
 * @example
 * const credentials = parseClaudeCredentialsFile(readFileSync(path, 'utf8'), path);
 */
export function parseClaudeCredentialsFile(text: string, path: string): ClaudeCredentials | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw claudeCredentialFileError(path, describeJsonProblem(error, text));
  }
  const parsed = ClaudeCredentialsFileSchema.safeParse(json);
  if (!parsed.success) throw claudeCredentialFileError(path, describeSchemaProblem(parsed.error));
  const entry = parsed.data.claudeAiOauth;
  if (!entry) return undefined;
  const expiresAt = claudeTime(entry.expiresAt);
  const refreshTokenExpiresAt = claudeTime(entry.refreshTokenExpiresAt);
  const account = nodexAccount(parsed.data.nodexAccount);
  return {
    accessToken: entry.accessToken,
    ...(entry.refreshToken ? { refreshToken: entry.refreshToken } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt }),
    ...(entry.scopes ? { scopes: entry.scopes } : {}),
    ...(entry.subscriptionType ? { subscriptionType: entry.subscriptionType } : {}),
    ...(entry.rateLimitTier ? { rateLimitTier: entry.rateLimitTier } : {}),
    ...account,
  };
}

const AccountSchema = z.looseObject({
  email: z.string().optional().catch(undefined),
  organization: z.string().optional().catch(undefined),
});

/** nodex's own `nodexAccount` key (its store only): who logged in, never secret. */
function nodexAccount(value: unknown): { email?: string; organizationName?: string } {
  const parsed = AccountSchema.safeParse(value);
  if (!parsed.success) return {};
  const { email, organization } = parsed.data;
  return { ...(email ? { email } : {}), ...(organization ? { organizationName: organization } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes credentials into an existing `.credentials.json` object: the token fields of
 * `claudeAiOauth` are overwritten, `expiresAt` in epoch MILLISECONDS, and every other field and
 * top-level key stays as it was (godex dropped them: seeds-spec §C.1 item 6). `withAccount` adds
 * nodex's own `nodexAccount` key (email, organization), used in nodex's store only.
 *
 * @example
 * const merged = mergeClaudeCredentialsFile(JSON.parse(text), next);
 */
export function mergeClaudeCredentialsFile(
  existing: unknown,
  credentials: ClaudeCredentials,
  options: { readonly withAccount?: boolean } = {},
): Record<string, unknown> {
  const raw: Record<string, unknown> = isRecord(existing) ? { ...existing } : {};
  const entry: Record<string, unknown> = isRecord(raw.claudeAiOauth) ? { ...raw.claudeAiOauth } : {};
  const rotated = entry.refreshToken !== credentials.refreshToken;
  entry.accessToken = credentials.accessToken;
  if (credentials.refreshToken) entry.refreshToken = credentials.refreshToken;
  if (credentials.expiresAt !== undefined) entry.expiresAt = credentials.expiresAt;
  if (credentials.refreshTokenExpiresAt !== undefined)
    entry.refreshTokenExpiresAt = credentials.refreshTokenExpiresAt;
  else if (rotated) delete entry.refreshTokenExpiresAt; // it described the old refresh token
  if (credentials.scopes) entry.scopes = [...credentials.scopes];
  if (credentials.subscriptionType) entry.subscriptionType = credentials.subscriptionType;
  if (credentials.rateLimitTier) entry.rateLimitTier = credentials.rateLimitTier;
  raw.claudeAiOauth = entry;
  if (options.withAccount && (credentials.email || credentials.organizationName)) {
    raw.nodexAccount = {
      ...(credentials.email ? { email: credentials.email } : {}),
      ...(credentials.organizationName ? { organization: credentials.organizationName } : {}),
    };
  }
  return raw;
}
