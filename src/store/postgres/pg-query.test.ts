import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { storeError, transaction } from './pg-query.js';

/** A pool whose clients log their statements and fail the ones `fail` names. */
function fakePool(fail: (sql: string, attempt: number) => Error | undefined) {
  const log: string[] = [];
  const released: unknown[] = [];
  let attempt = 0;
  const pool = {
    async connect() {
      attempt += 1;
      const mine = attempt;
      return {
        async query(sql: string) {
          log.push(`${mine}:${sql}`);
          const error = fail(sql, mine);
          if (error) throw error;
          return { rows: [], rowCount: 0 };
        },
        release(err?: unknown) {
          released.push(err);
        },
      };
    },
  } as unknown as pg.Pool;
  return { pool, log, released };
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('transaction', () => {
  it('runs a transaction again from the start after a deadlock', async () => {
    const { pool, log, released } = fakePool((sql, attempt) =>
      sql === 'WORK' && attempt === 1 ? withCode('deadlock detected', '40P01') : undefined,
    );
    const result = await transaction(pool, async (client) => {
      await client.query('WORK');
      return 'done';
    });
    expect(result).toBe('done');
    expect(log).toEqual(['1:BEGIN', '1:WORK', '1:ROLLBACK', '2:BEGIN', '2:WORK', '2:COMMIT']);
    expect(released).toEqual([false, false]);
  });

  it('gives up after 5 attempts, and passes other errors through at once', async () => {
    const deadlocks = fakePool((sql) =>
      sql === 'WORK' ? withCode('deadlock detected', '40P01') : undefined,
    );
    await expect(transaction(deadlocks.pool, (c) => c.query('WORK'))).rejects.toThrow('deadlock');
    expect(deadlocks.log.filter((l) => l.endsWith('BEGIN'))).toHaveLength(5);
    const unique = fakePool((sql) => (sql === 'WORK' ? withCode('duplicate key', '23505') : undefined));
    await expect(transaction(unique.pool, (c) => c.query('WORK'))).rejects.toMatchObject({ code: '23505' });
    expect(unique.log).toEqual(['1:BEGIN', '1:WORK', '1:ROLLBACK']);
  });

  it('discards a connection that broke, and says the store is unavailable', async () => {
    const { pool, released } = fakePool((sql) =>
      sql === 'BEGIN' ? undefined : new Error('Connection terminated unexpectedly'),
    );
    const error = await transaction(pool, (c) => c.query('WORK')).catch((e: unknown) => e);
    expect(NodexError.isInstance(error) && error.code).toBe('store_unavailable');
    expect(released).toEqual([true]);
  });
});

describe('storeError', () => {
  it('types unreachable, restarting, full and slow servers as store_unavailable, leaving the rest', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('sorry, too many clients already', '53300'),
      withCode('canceling statement due to statement timeout', '57014'),
      withCode('connection failure', '08006'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      const typed = storeError(error);
      expect(NodexError.isInstance(typed) && typed.code, error.message).toBe('store_unavailable');
      expect(NodexError.isInstance(typed) && typed.retryable).toBe(true);
    }
    const unique = withCode('duplicate key', '23505');
    expect(storeError(unique)).toBe(unique);
  });
});
