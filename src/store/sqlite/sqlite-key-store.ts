import type { Statement } from 'better-sqlite3';
import { type KeyPolicy, KeyPolicySchema } from '../../config/schema.js';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { KeyPatch, KeyRecord, KeyStore, NewKeyRecord } from '../key-store.js';
import type { SqliteDb } from './open-sqlite.js';

/** A row of `api_keys` as SQLite returns it. */
interface KeyRow {
  readonly id: string;
  readonly label: string;
  readonly hash: string;
  readonly created_at: number;
  readonly last_used_at: number | null;
  readonly expires_at: number | null;
  readonly revoked_at: number | null;
  readonly rotated_at: number | null;
  readonly policy: string;
  readonly token_balance: number | null;
  readonly byok: number;
}

type Bind = Record<string, string | number | null>;

function parsePolicy(id: string, text: string): KeyPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = KeyPolicySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new NodexError('internal_error', `the policy stored for key ${id} is not valid: ${text}`);
}

function toRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    label: row.label,
    hash: row.hash,
    created_at: row.created_at,
    ...(row.last_used_at === null ? {} : { last_used_at: row.last_used_at }),
    ...(row.expires_at === null ? {} : { expires_at: row.expires_at }),
    ...(row.revoked_at === null ? {} : { revoked_at: row.revoked_at }),
    ...(row.rotated_at === null ? {} : { rotated_at: row.rotated_at }),
    policy: parsePolicy(row.id, row.policy),
    ...(row.token_balance === null ? {} : { token_balance: row.token_balance }),
    byok: row.byok === 1,
  };
}

/** One `@set_x` flag and `@x` value per optional patch field: undefined leaves the column alone. */
function patchParams(id: string, patch: KeyPatch): Bind {
  const field = (value: string | number | null | undefined) => ({
    set: value === undefined ? 0 : 1,
    value: value ?? null,
  });
  const fields = {
    label: field(patch.label),
    hash: field(patch.hash),
    policy: field(patch.policy === undefined ? undefined : JSON.stringify(patch.policy)),
    expires_at: field(patch.expires_at),
    revoked_at: field(patch.revoked_at),
    rotated_at: field(patch.rotated_at),
    token_balance: field(patch.token_balance),
    byok: field(patch.byok === undefined ? undefined : Number(patch.byok)),
  };
  const params: Bind = { id };
  for (const [name, { set, value }] of Object.entries(fields)) {
    params[`set_${name}`] = set;
    params[name] = value;
  }
  return params;
}

const UPDATE_SQL = `UPDATE api_keys SET
  ${['label', 'hash', 'policy', 'expires_at', 'revoked_at', 'rotated_at', 'token_balance', 'byok']
    .map((c) => `${c} = CASE WHEN @set_${c} THEN @${c} ELSE ${c} END`)
    .join(',\n  ')}
  WHERE id = @id RETURNING *`;

/**
 * Gateway keys in the nodex SQLite database. Every call is one statement (or one transaction)
 * on the file, never an in-memory copy: a key the CLI adds is seen by a running gateway at its
 * next lookup, and neither process can overwrite the other's changes (C.1.14).
 *
 * @example
 * const store = new SqliteKeyStore(openNodexDb(nodexDbPath(home)));
 * const record = await store.get('0a1b2c3d4e5f');
 */
export class SqliteKeyStore implements KeyStore {
  private readonly insertStmt: Statement<[Bind], KeyRow>;
  private readonly getStmt: Statement<[string], KeyRow>;
  private readonly byHashStmt: Statement<[string], KeyRow>;
  private readonly listAllStmt: Statement<[], KeyRow>;
  private readonly listActiveStmt: Statement<[], KeyRow>;
  private readonly updateStmt: Statement<[Bind], KeyRow>;
  private readonly addTokensStmt: Statement<[number, string], KeyRow>;
  private readonly touchMany: (lastUsed: ReadonlyMap<string, number>) => void;

  constructor(db: SqliteDb) {
    this.insertStmt = db.prepare(
      `INSERT INTO api_keys (id, label, hash, created_at, expires_at, policy, token_balance, byok)
       VALUES (@id, @label, @hash, @created_at, @expires_at, @policy, @token_balance, @byok) RETURNING *`,
    );
    this.getStmt = db.prepare('SELECT * FROM api_keys WHERE id = ?');
    this.byHashStmt = db.prepare('SELECT * FROM api_keys WHERE hash = ?');
    this.listAllStmt = db.prepare('SELECT * FROM api_keys ORDER BY created_at, rowid');
    this.listActiveStmt = db.prepare(
      'SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, rowid',
    );
    this.updateStmt = db.prepare(UPDATE_SQL);
    this.addTokensStmt = db.prepare(
      'UPDATE api_keys SET token_balance = COALESCE(token_balance, 0) + ? WHERE id = ? RETURNING *',
    );
    // MAX: two gateways flushing out of order never move last_used_at backwards.
    const touchStmt = db.prepare<[number, string]>(
      'UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?',
    );
    const touchAll = db.transaction((lastUsed: ReadonlyMap<string, number>) => {
      for (const [id, at] of lastUsed) touchStmt.run(at, id);
    });
    this.touchMany = (lastUsed) => touchAll.immediate(lastUsed);
  }

  async insert(record: NewKeyRecord): Promise<KeyRecord> {
    try {
      const row = this.insertStmt.get({
        id: record.id,
        label: record.label,
        hash: record.hash,
        created_at: record.created_at,
        expires_at: record.expires_at ?? null,
        policy: JSON.stringify(record.policy),
        token_balance: record.token_balance ?? null,
        byok: record.byok ? 1 : 0,
      });
      if (!row) throw new NodexError('internal_error', `inserting key ${record.id} returned no row`);
      return toRecord(row);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const what = String((error as Error).message).includes('api_keys.hash')
          ? 'this key text is already in use'
          : `a key with id ${record.id} already exists`;
        throw new NodexError('conflict', what, { cause: error });
      }
      throw error;
    }
  }

  async get(id: string): Promise<KeyRecord | undefined> {
    const row = this.getStmt.get(id);
    return row && toRecord(row);
  }

  async findByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = this.byHashStmt.get(hash);
    return row && toRecord(row);
  }

  async list(options: { readonly includeRevoked?: boolean } = {}): Promise<KeyRecord[]> {
    const stmt = options.includeRevoked ? this.listAllStmt : this.listActiveStmt;
    return stmt.all().map(toRecord);
  }

  async update(id: string, patch: KeyPatch): Promise<KeyRecord | undefined> {
    try {
      const row = this.updateStmt.get(patchParams(id, patch));
      return row && toRecord(row);
    } catch (error) {
      // A rotation onto key text another key holds (a bring-your-own key): as insert, and as Postgres.
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new NodexError('conflict', 'this key text is already in use', { cause: error });
      throw error;
    }
  }

  async addTokens(id: string, delta: number): Promise<KeyRecord | undefined> {
    if (!Number.isSafeInteger(delta))
      throw new InvalidRequestError(`tokens must be a whole number, got ${delta}`, { param: 'tokens' });
    const row = this.addTokensStmt.get(delta, id);
    return row && toRecord(row);
  }

  async touch(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    if (lastUsed.size > 0) this.touchMany(lastUsed);
  }
}
