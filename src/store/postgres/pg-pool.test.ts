import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { usePgServer } from '../../testing/pg-server.js';
import { maskPgUrl, openPgPool } from './pg-pool.js';
import { query } from './pg-query.js';

const server = usePgServer();

async function failure(promise: Promise<unknown>): Promise<NodexError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!NodexError.isInstance(error)) throw new Error(`expected a NodexError, got ${String(error)}`);
  return error;
}

describe('openPgPool', () => {
  it('fails at startup with store_unavailable when the server cannot be reached, password masked', async () => {
    const error = await failure(openPgPool('postgres://nodex:s3cret@127.0.0.1:1/nodex'));
    expect(error.code).toBe('store_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('postgres://nodex:***@127.0.0.1:1/nodex');
    expect(error.message).not.toContain('s3cret');
  });

  it('refuses a URL that is not postgres:// as config_invalid, password masked', async () => {
    const error = await failure(openPgPool('mysql://root:hunter2@db/x'));
    expect(error.code).toBe('config_invalid');
    expect(error.message).not.toContain('hunter2');
    expect((await failure(openPgPool('not a url'))).code).toBe('config_invalid');
  });

  it('reports a server that refuses us (no such database) as config_invalid', async () => {
    const url = server()
      .url.replace(/\/postgres$/, '/missing')
      .replace('postgres@', 'postgres:pw@');
    const error = await failure(openPgPool(url));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/missing/);
    expect(error.message).toContain('postgres:***@');
  });

  it('names its connections nodex and cancels statements past the timeout', async () => {
    const pool = await openPgPool(server().url, { statementTimeoutMs: 200 });
    try {
      const { rows } = await pool.query('SELECT current_setting($1) AS name', ['application_name']);
      expect(rows[0]?.name).toBe('nodex');
      const slow = await failure(query(pool, 'SELECT pg_sleep(5)'));
      expect(slow.code).toBe('store_unavailable');
    } finally {
      await pool.end();
    }
  });

  it('survives its idle connections being killed, and reconnects for the next query', async () => {
    const errors: Error[] = [];
    const pool = await openPgPool(server().url, { onError: (e) => errors.push(e) });
    const admin = new pg.Client({ connectionString: server().url });
    await admin.connect();
    try {
      await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 2')]);
      expect(pool.idleCount).toBeGreaterThan(0);
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nodex'",
      );
      // Each idle connection hears of its end on its own: wait for all of them to be dropped.
      await expect.poll(() => pool.idleCount).toBe(0);
      expect(errors.length).toBeGreaterThan(0);
      const { rows } = await pool.query('SELECT 42 AS answer');
      expect(rows).toEqual([{ answer: 42 }]);
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});

describe('maskPgUrl', () => {
  it('masks the password in the authority and in the query, and nothing else', () => {
    expect(maskPgUrl('postgres://nodex:s3cret@db:5432/nodex')).toBe('postgres://nodex:***@db:5432/nodex');
    expect(maskPgUrl('postgresql://db/nodex?user=a&password=s3cret')).toBe(
      'postgresql://db/nodex?user=a&password=***',
    );
    expect(maskPgUrl('postgres://db/nodex')).toBe('postgres://db/nodex');
    expect(maskPgUrl('not a url://u:p@h')).not.toContain(':p@');
  });
});
