import type { Statement, Transaction } from 'better-sqlite3';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { CompatDb } from './compat-db.js';
import { type Clock, unixSeconds } from './ids.js';
import { ResponseRetention, type RetentionOptions } from './response-retention.js';
import type { JsonValue } from './types.js';

export interface SaveResponseParams {
  id: string;
  model: string;
  /** This turn's new input items only; a leading copy of the stored history is stripped anyway. */
  input: readonly JsonValue[];
  output: readonly JsonValue[];
  instructions?: string | null;
  previous_response_id?: string | null;
}

export interface StoredResponse {
  id: string;
  object: 'response';
  model: string;
  created_at: number;
  previous_response_id: string | null;
  instructions: string | null;
  input: JsonValue[];
  output: JsonValue[];
}

interface ResponseRow {
  id: string;
  previous_response_id: string | null;
  root_id: string;
  model: string;
  instructions: string | null;
  input: string;
  output: string;
  created_at: number;
}

function toStored(row: ResponseRow): StoredResponse {
  const { id, model, created_at, previous_response_id, instructions } = row;
  const input = JSON.parse(row.input) as JsonValue[];
  const output = JSON.parse(row.output) as JsonValue[];
  return { id, object: 'response', model, created_at, previous_response_id, instructions, input, output };
}

/** Guards against cycles (a re-saved id pointing at its own descendant). */
const MAX_CHAIN = 100_000;
/** Retention runs on open and every this many saves, not on every write. */
const PRUNE_EVERY = 100;

function notFound(id: string, why: string): NodexError {
  return new NodexError('not_found', `response "${id}" not found${why}`, { param: 'previous_response_id' });
}

/**
 * Turns stored for `previous_response_id` emulation (the Codex backend keeps none). Each row holds
 * only its turn's new items and a link to the previous turn; `chain` walks the links. History is
 * never copied into each row, so storage grows linearly with the conversation, and retention
 * (response-retention.ts) bounds it.
 *
 * @example
 * await responses.save({ id: 'resp_2', model: 'gpt-5', input: [userMsg], output: [reply], previous_response_id: 'resp_1' });
 * await responses.chain('resp_2'); // turn 1's input + output, then turn 2's
 */
export class ResponseStore {
  private readonly upsert: Statement<[ResponseRow]>;
  private readonly byId: Statement<[string], ResponseRow>;
  private readonly walk: Statement<[string, number], ResponseRow>;
  private readonly remove: Statement<[string]>;
  private readonly totals: Statement<[], { responses: number; bytes: number | null }>;
  private readonly retention: ResponseRetention;
  private readonly write: Transaction<(params: SaveResponseParams) => void>;
  private saves = 0;

  constructor(
    db: CompatDb,
    private readonly clock: Clock,
    options: RetentionOptions = {},
  ) {
    this.retention = new ResponseRetention(db, options);
    this.upsert = db.prepare(`INSERT INTO responses
      (id, previous_response_id, root_id, model, instructions, input, output, created_at)
      VALUES (@id, @previous_response_id, @root_id, @model, @instructions, @input, @output, @created_at)
      ON CONFLICT (id) DO UPDATE SET previous_response_id = excluded.previous_response_id,
        root_id = excluded.root_id, model = excluded.model, instructions = excluded.instructions,
        input = excluded.input, output = excluded.output, created_at = excluded.created_at`);
    this.byId = db.prepare('SELECT * FROM responses WHERE id = ?');
    this.walk = db.prepare(`
      WITH RECURSIVE chain (id, prev, depth) AS (
        SELECT id, previous_response_id, 0 FROM responses WHERE id = ?
        UNION ALL
        SELECT r.id, r.previous_response_id, chain.depth + 1 FROM responses r JOIN chain ON r.id = chain.prev
        WHERE chain.depth < ?
      )
      SELECT r.* FROM chain JOIN responses r ON r.id = chain.id ORDER BY chain.depth DESC`);
    this.remove = db.prepare('DELETE FROM responses WHERE id = ?');
    this.totals = db.prepare(
      'SELECT COUNT(*) AS responses, SUM(length(input) + length(output)) AS bytes FROM responses',
    );
    this.write = db.transaction((params: SaveResponseParams) => this.insert(params));
    this.prune();
  }

  async save(params: SaveResponseParams): Promise<StoredResponse> {
    if (typeof params?.id !== 'string' || !params.id) {
      throw new InvalidRequestError('id must be a non-empty string', { param: 'id' });
    }
    if (!Array.isArray(params.input) || !Array.isArray(params.output)) {
      throw new InvalidRequestError('input and output must be arrays of items');
    }
    this.write.immediate(params);
    if (++this.saves % PRUNE_EVERY === 0) this.prune();
    return this.retrieve(params.id);
  }

  /** Reads the parent chain and inserts in one transaction, so a concurrent prune cannot split them. */
  private insert(params: SaveResponseParams): void {
    const previous = params.previous_response_id ?? null;
    let input: readonly JsonValue[] = params.input;
    let root = params.id;
    if (previous !== null) {
      const history = this.history(previous);
      root = history[0]?.root_id ?? previous;
      input = stripHistory(input, history);
    }
    this.upsert.run({
      id: params.id,
      previous_response_id: previous,
      root_id: root,
      model: String(params.model ?? ''),
      instructions: params.instructions ?? null,
      input: JSON.stringify(input),
      output: JSON.stringify(params.output),
      created_at: unixSeconds(this.clock),
    });
  }

  async retrieve(id: string): Promise<StoredResponse> {
    const row = this.byId.get(id);
    if (!row) throw notFound(id, '');
    return toStored(row);
  }

  /** Every item of the conversation ending at `id`, oldest first: each turn's input, then output. */
  async chain(id: string): Promise<JsonValue[]> {
    return this.history(id).flatMap((row) => {
      const turn = toStored(row);
      return [...turn.input, ...turn.output];
    });
  }

  /** Deletes one turn; later turns that build on it can no longer be chained (`not_found`). */
  async delete(id: string): Promise<{ id: string; object: 'response'; deleted: true }> {
    if (this.remove.run(id).changes === 0) throw notFound(id, '');
    return { id, object: 'response', deleted: true };
  }

  /** Applies retention now; returns how many turns went. */
  prune(): number {
    return this.retention.run(unixSeconds(this.clock));
  }

  /** How many turns are stored and the bytes of their items. */
  stats(): { responses: number; bytes: number } {
    const row = this.totals.get();
    return { responses: row?.responses ?? 0, bytes: row?.bytes ?? 0 };
  }

  /** The rows from the root to `id`; `not_found` when any link is missing. */
  private history(id: string): ResponseRow[] {
    const rows = this.walk.all(id, MAX_CHAIN);
    if (rows.length === 0) throw notFound(id, '');
    const missing = rows[0]?.previous_response_id;
    if (missing) throw notFound(id, `: its history is incomplete, "${missing}" was deleted or expired`);
    return rows;
  }
}

/** Drops a leading copy of the stored history from `input` (a caller that resent everything). */
function stripHistory(input: readonly JsonValue[], history: readonly ResponseRow[]): readonly JsonValue[] {
  const stored = history.flatMap((row) => [
    ...(JSON.parse(row.input) as JsonValue[]),
    ...(JSON.parse(row.output) as JsonValue[]),
  ]);
  if (stored.length === 0 || input.length < stored.length) return input;
  const same = stored.every((item, index) => JSON.stringify(item) === JSON.stringify(input[index]));
  return same ? input.slice(stored.length) : input;
}
