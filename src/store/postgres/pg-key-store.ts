import type pg from 'pg';
import { type KeyPolicy, KeyPolicySchema } from '../../config/schema.js';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { KeyPatch, KeyRecord, KeyStore, NewKeyRecord } from '../key-store.js';
import { query } from './pg-query.js';

/** A row of `api_keys` as pg returns it: BIGINT columns arrive as strings. */
interface KeyRow {
  readonly id: string;
  readonly label: string;
  readonly hash: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly rotated_at: string | null;
  readonly policy: unknown;
  readonly token_balance: string | null;
  readonly byok: boolean;
}

const COLUMNS =
  'id, label, hash, created_at, last_used_at, expires_at, revoked_at, rotated_at, policy, token_balance, byok';

/** The optional columns a patch may set, in the order of their ($set, $value) parameter pairs. */
const PATCHABLE = [
  ['label', 'text'],
  ['hash', 'text'],
  ['policy', 'jsonb'],
  ['expires_at', 'bigint'],
  ['revoked_at', 'bigint'],
  ['rotated_at', 'bigint'],
  ['token_balance', 'bigint'],
  ['byok', 'boolean'],
] as const;

const UPDATE_SQL = `UPDATE api_keys SET
  ${PATCHABLE.map(([c, type], i) => `${c} = CASE WHEN $${2 * i + 2}::boolean THEN $${2 * i + 3}::${type} ELSE ${c} END`).join(',\n  ')}
  WHERE id = $1 RETURNING ${COLUMNS}`;

/** PostgreSQL text cannot hold U+0000: no stored id or hash has one, and none can be written. */
const hasNul = (text: string) => text.includes('\u0000');

function parsePolicy(id: string, value: unknown): KeyPolicy {
  const parsed = KeyPolicySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new NodexError(
    'internal_error',
    `the policy stored for key ${id} is not valid: ${JSON.stringify(value)}`,
  );
}

const optional = <K extends string>(name: K, value: string | null) =>
  (value === null ? {} : { [name]: Number(value) }) as Partial<Record<K, number>>;

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    label: row.label,
    hash: row.hash,
    created_at: Number(row.created_at),
    ...optional('last_used_at', row.last_used_at),
    ...optional('expires_at', row.expires_at),
    ...optional('revoked_at', row.revoked_at),
    ...optional('rotated_at', row.rotated_at),
    policy: parsePolicy(row.id, row.policy),
    ...optional('token_balance', row.token_balance),
    byok: row.byok,
  };
}

/** A write's driver error in nodex terms: a taken id or hash is `conflict`, text with U+0000 a bad request. */
function writeError(error: unknown, id: string): unknown {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code === '23505') {
    const what =
      constraint === 'api_keys_hash_unique'
        ? 'this key text is already in use'
        : `a key with id ${id} already exists`;
    return new NodexError('conflict', what, { cause: error });
  }
  if (code === '22021' || code === '22P05')
    return new InvalidRequestError('PostgreSQL cannot store text containing a NUL character (\\u0000)', {
      cause: error,
    });
  return error;
}

/**
 * Gateway keys in PostgreSQL (pg-schema.ts), shared by every gateway instance and the CLI. Each
 * method is one statement, so each is atomic on its own: `addTokens` is a single UPDATE, exact under
 * any number of concurrent callers. Behaves as SqliteKeyStore does, with one difference forced by
 * PostgreSQL: text containing U+0000 cannot be stored (a write rejects with `invalid_request`; a
 * lookup finds nothing).
 *
 * @example
 * const keys = new PgKeyStore(await openNodexPg(config.state.url));
 * const record = await keys.findByHash(hashKey(bearer));
 */
export class PgKeyStore implements KeyStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(record: NewKeyRecord): Promise<KeyRecord> {
    try {
      const { rows } = await query<KeyRow>(
        this.pool,
        `INSERT INTO api_keys (id, label, hash, created_at, expires_at, policy, token_balance, byok)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING ${COLUMNS}`,
        [
          record.id,
          record.label,
          record.hash,
          record.created_at,
          record.expires_at ?? null,
          JSON.stringify(record.policy),
          record.token_balance ?? null,
          record.byok,
        ],
      );
      const row = rows[0];
      if (!row) throw new NodexError('internal_error', `inserting key ${record.id} returned no row`);
      return toRecord(row);
    } catch (error) {
      throw writeError(error, record.id);
    }
  }

  async get(id: string): Promise<KeyRecord | undefined> {
    if (hasNul(id)) return undefined;
    const { rows } = await query<KeyRow>(this.pool, `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async findByHash(hash: string): Promise<KeyRecord | undefined> {
    if (hasNul(hash)) return undefined;
    const { rows } = await query<KeyRow>(this.pool, `SELECT ${COLUMNS} FROM api_keys WHERE hash = $1`, [
      hash,
    ]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(options: { readonly includeRevoked?: boolean } = {}): Promise<KeyRecord[]> {
    const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const { rows } = await query<KeyRow>(
      this.pool,
      `SELECT ${COLUMNS} FROM api_keys ${where} ORDER BY created_at, seq`,
    );
    return rows.map(toRecord);
  }

  async update(id: string, patch: KeyPatch): Promise<KeyRecord | undefined> {
    if (hasNul(id)) return undefined;
    const values: unknown[] = [id];
    for (const [column] of PATCHABLE) {
      const value = patch[column];
      values.push(value !== undefined, column === 'policy' && value != null ? JSON.stringify(value) : value);
    }
    try {
      const { rows } = await query<KeyRow>(this.pool, UPDATE_SQL, values);
      return rows[0] && toRecord(rows[0]);
    } catch (error) {
      throw writeError(error, id);
    }
  }

  async addTokens(id: string, delta: number): Promise<KeyRecord | undefined> {
    if (!Number.isSafeInteger(delta))
      throw new InvalidRequestError(`tokens must be a whole number, got ${delta}`, { param: 'tokens' });
    if (hasNul(id)) return undefined;
    const { rows } = await query<KeyRow>(
      this.pool,
      `UPDATE api_keys SET token_balance = COALESCE(token_balance, 0) + $1 WHERE id = $2 RETURNING ${COLUMNS}`,
      [delta, id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async touch(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    const entries = [...lastUsed].filter(([id]) => !hasNul(id)).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) return;
    // GREATEST: two gateways flushing out of order never move last_used_at backwards. One
    // statement, so the batch is atomic.
    await query(
      this.pool,
      `UPDATE api_keys AS k SET last_used_at = GREATEST(COALESCE(k.last_used_at, 0), v.at)
       FROM unnest($1::text[], $2::bigint[]) AS v(id, at) WHERE k.id = v.id`,
      [entries.map(([id]) => id), entries.map(([, at]) => at)],
    );
  }
}
