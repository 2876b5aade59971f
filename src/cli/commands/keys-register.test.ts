import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdminApi, IssuedKey, KeyView, UsageApi } from '../../gateway/admin/admin-api.js';
import { LocalKeysApi } from '../../gateway/admin/key-admin.js';
import { openNodexDb } from '../../store/sqlite/nodex-db.js';
import type { SqliteDb } from '../../store/sqlite/open-sqlite.js';
import { SqliteKeyStore } from '../../store/sqlite/sqlite-key-store.js';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { EXIT, type ExitCode } from '../io.js';
import { registerKeys } from './keys.js';
import { formatDuration } from './keys-format.js';

const DAY = 86_400_000;
let dir: ReturnType<typeof tempDir>;
let db: SqliteDb;
let api: LocalKeysApi;
beforeEach(() => {
  dir = tempDir();
  db = openNodexDb(join(dir.path, 'nodex.db'));
  api = new LocalKeysApi(new SqliteKeyStore(db), { rpm: 60 });
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

const io = () => captureIo(dir.path);

describe('registerKeys', () => {
  async function cli(argv: string[]): Promise<{ code: ExitCode; stdout: string; closed: number }> {
    const out = io();
    let code: ExitCode = EXIT.ok;
    let closed = 0;
    const program = new Command('nodex').option('--config <file>').exitOverride();
    program.configureOutput({
      writeOut: (s) => out.io.stdout.write(s),
      writeErr: (s) => out.io.stderr.write(s),
    });
    const admin: AdminApi = { keys: api, usage: {} as UsageApi };
    registerKeys(program, { io: out.io, setExitCode: (c) => (code = c) }, async () => ({
      api: admin,
      close: () => {
        closed++;
      },
    }));
    await program.parseAsync(argv, { from: 'user' });
    return { code, stdout: out.stdout(), closed };
  }

  it('wires every subcommand, negative token counts included, and closes the connection', async () => {
    const add = await cli(['keys', 'add', '--label', 'x', '--rpm', '3', '--json']);
    const { record } = JSON.parse(add.stdout) as IssuedKey;
    expect(record.policy).toEqual({ rpm: 3 });
    expect(add.closed).toBe(1);
    await cli(['keys', 'add-tokens', record.id, '10']);
    const tokens = await cli(['keys', 'add-tokens', record.id, '-4', '--json']);
    expect((JSON.parse(tokens.stdout) as KeyView).token_balance).toBe(6);
    await cli(['keys', 'update', record.id, '--rpm', 'none', '--expires-in', '2d']);
    expect((await api.get(record.id)).policy).toEqual({});
    expect((await cli(['keys', 'rotate', record.id])).stdout).toMatch(/^nk-/);
    await cli(['keys', 'revoke', record.id]);
    expect((await cli(['keys', 'list', '--all', '--json'])).stdout).toContain('"revoked"');
    await expect(cli(['keys', 'add'])).rejects.toThrow(/--label/);
  });
});

describe('formatDuration', () => {
  it('uses the largest unit that divides the window', () => {
    expect([30 * DAY, 36 * 3_600_000, 90 * 60_000, 45_000, 1500].map(formatDuration)).toEqual([
      '30d',
      '36h',
      '90m',
      '45s',
      '1500ms',
    ]);
  });
});
