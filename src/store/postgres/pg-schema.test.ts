import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { usePgServer } from '../../testing/pg-server.js';
import { openPgPool } from './pg-pool.js';
import { migratePg, PG_MIGRATIONS } from './pg-schema.js';

const server = usePgServer();
let pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  pools = [];
});

async function pool(url: string): Promise<pg.Pool> {
  const opened = await openPgPool(url);
  pools.push(opened);
  return opened;
}

async function versions(db: pg.Pool): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>(
    'SELECT version FROM nodex_migrations ORDER BY version',
  );
  return rows.map((row) => row.version);
}

describe('migratePg', () => {
  it('creates the schema once and is a no-op afterwards', async () => {
    const db = await pool(await server().createDatabase());
    await migratePg(db);
    await migratePg(db);
    expect(await versions(db)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    const { rows } = await db.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename COLLATE "C"`,
    );
    expect(rows.map((row) => row.name)).toEqual([
      'api_keys',
      'key_windows',
      'nodex_migrations',
      'usage_hourly',
      'usage_requests',
      'usage_resets',
    ]);
  });

  it('applies each migration exactly once when three instances start at once', async () => {
    const url = await server().createDatabase();
    const dbs = await Promise.all([pool(url), pool(url), pool(url)]);
    const extra = [...PG_MIGRATIONS, 'CREATE TABLE counted (n INTEGER); INSERT INTO counted VALUES (1);'];
    await Promise.all(dbs.map((db) => migratePg(db, { migrations: extra })));
    expect(await versions(dbs[0] as pg.Pool)).toEqual(extra.map((_, i) => i + 1));
    const { rows } = await (dbs[1] as pg.Pool).query('SELECT COUNT(*)::int AS n FROM counted');
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('applies only the migrations past the recorded version', async () => {
    const db = await pool(await server().createDatabase());
    await migratePg(db);
    await migratePg(db, { migrations: [...PG_MIGRATIONS, 'CREATE TABLE later (n INTEGER)'] });
    expect(await versions(db)).toEqual([...PG_MIGRATIONS.map((_, i) => i + 1), PG_MIGRATIONS.length + 1]);
  });

  it('rolls a failed migration back entirely', async () => {
    const db = await pool(await server().createDatabase());
    await expect(migratePg(db, { migrations: ['CREATE TABLE a (n INTEGER)', 'NOT SQL'] })).rejects.toThrow();
    const { rows } = await db.query("SELECT to_regclass('a') AS a, to_regclass('nodex_migrations') AS m");
    expect(rows).toEqual([{ a: null, m: null }]);
  });

  it('refuses a database newer than this build', async () => {
    const db = await pool(await server().createDatabase());
    await migratePg(db, { migrations: [...PG_MIGRATIONS, 'SELECT 1'] });
    const error = await migratePg(db).catch((e: unknown) => e);
    expect(NodexError.isInstance(error) && error.code).toBe('not_supported');
    expect(String(error)).toMatch(/newer than this nodex/);
  });
});
