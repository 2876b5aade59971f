import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdminApi } from '../../gateway/admin/admin-api.js';
import { LocalUsageApi } from '../../gateway/admin/usage-admin.js';
import { openNodexDb } from '../../store/sqlite/nodex-db.js';
import type { SqliteDb } from '../../store/sqlite/open-sqlite.js';
import { SqliteUsageStore } from '../../store/sqlite/sqlite-usage-store.js';
import type { UsageRecord } from '../../store/usage-store.js';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { EXIT, type ExitCode } from '../io.js';
import { registerUsage, runUsageList, runUsageReset, runUsageShow } from './usage.js';
import { formatWait, parseSince } from './usage-format.js';

const H = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 9);
const NOW = T0 + 2 * H;

let dir: ReturnType<typeof tempDir>;
let db: SqliteDb;
let store: SqliteUsageStore;
let api: LocalUsageApi;

function rec(id: string, fields: Partial<UsageRecord> = {}): UsageRecord {
  return {
    request_id: id,
    ts: T0,
    key_id: 'k1',
    route: '/v1/responses',
    model: 'gpt-5.5',
    provider: 'codex',
    account: 'acct-1',
    status: 200,
    stream: true,
    input_tokens: 1200,
    cached_input_tokens: 1000,
    output_tokens: 300,
    reasoning_tokens: 100,
    estimated: false,
    latency_ms: 1500,
    ttft_ms: 400,
    ...fields,
  };
}

beforeEach(async () => {
  dir = tempDir();
  db = openNodexDb(join(dir.path, 'nodex.db'));
  store = new SqliteUsageStore(db);
  const quotas = new Map([['k1', { tokens: 10_000, window: DAY }]]);
  api = new LocalUsageApi(
    store,
    (id) => quotas.get(id),
    () => NOW,
  );
  await store.record(
    [
      rec('r1'),
      rec('r2', { ts: T0 + H + 60_000, status: 429, error_code: 'upstream_rate_limited', output_tokens: 0 }),
      rec('r3', {
        key_id: 'k2',
        ts: T0 - 3 * DAY,
        model: 'claude-sonnet-4-5',
        provider: 'anthropic',
        account: '',
      }),
    ],
    { history: true, windows: new Map([['k1', DAY]]) },
  );
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

async function capture(run: (io: ReturnType<typeof captureIo>['io']) => Promise<ExitCode>) {
  const captured = captureIo(dir.path);
  const code = await run(captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex usage list', () => {
  it('prints one row per key with every kind of token and the last hour seen', async () => {
    const out = await capture((io) => runUsageList(api, {}, io));
    expect(out.code).toBe(EXIT.ok);
    expect(out.stdout.split('\n')).toEqual([
      'KEY  REQUESTS  ERRORS  INPUT  CACHED  OUTPUT  REASONING  TOTAL  LAST SEEN (HOUR)',
      'k1   2         1       2400   2000    300     200        2700   2026-11-01T10:00Z',
      'k2   1         0       1200   1000    300     100        1500   2026-10-29T09:00Z',
      '',
    ]);
  });

  it('filters by --key and --since (a duration or a date), and prints JSON', async () => {
    const recent = await capture((io) => runUsageList(api, { since: '2d', now: NOW, json: true }, io));
    expect(JSON.parse(recent.stdout).map((t: { key_id: string }) => t.key_id)).toEqual(['k1']);
    const byDate = await capture((io) => runUsageList(api, { since: '2026-11-01T10:30', json: true }, io));
    expect(JSON.parse(byDate.stdout)).toMatchObject([{ key_id: 'k1', requests: 1, errors: 1 }]);
    const one = await capture((io) => runUsageList(api, { key: 'k2' }, io));
    expect(one.stdout).toContain('k2 ');
    expect(one.stdout).not.toContain('k1 ');
    const none = await capture((io) => runUsageList(api, { since: '2026-12-01' }, io));
    expect(none.stdout).toBe('no usage recorded since 2026-12-01T00:00Z\n');
  });

  it('rejects a --since it cannot read with exit 2', async () => {
    const out = await capture((io) => runUsageList(api, { since: 'last week' }, io));
    expect(out).toMatchObject({ code: EXIT.usage, stdout: '' });
    expect(out.stderr).toMatch(/^error: --since takes a duration such as 7d/);
  });
});

describe('nodex usage show', () => {
  it('shows usage by model, the quota window with percentage and reset time, and recent requests', async () => {
    const out = await capture((io) => runUsageShow(api, { id: 'k1', now: NOW }, io));
    expect(out.code).toBe(EXIT.ok);
    const lines = out.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'key k1',
      'quota: 2700 of 10000 tokens used (27.0%) since 2026-11-01T09:00Z; resets 2026-11-02T09:00Z (in 22h)',
    ]);
    expect(lines[3]).toMatch(/^MODEL\s+PROVIDER\s+ACCOUNT\s+REQUESTS\s+ERRORS.*AVG LATENCY$/);
    expect(lines[4]).toMatch(/^gpt-5\.5\s+codex\s+acct-1\s+2\s+1\s+2400\s+2000\s+300\s+200\s+2700\s+1\.5s$/);
    expect(out.stdout).toContain('recent requests:');
    expect(out.stdout).toMatch(/2026-11-01T10:01Z\s+r2\s+gpt-5\.5\s+429 upstream_rate_limited\s+yes/);
    expect(out.stdout.indexOf(' r2 ')).toBeLessThan(out.stdout.indexOf(' r1 '));
  });

  it('says when a key has no quota and no history, and prints JSON as the API returns it', async () => {
    await store.prune(NOW);
    const out = await capture((io) => runUsageShow(api, { id: 'k2' }, io));
    expect(out.stdout).toContain('quota: none\n');
    expect(out.stdout).toContain('claude-sonnet-4-5  anthropic  -');
    expect(out.stdout).toContain(
      'recent requests: none recorded (per-request history needs usage.history: true)',
    );
    const json = await capture((io) => runUsageShow(api, { id: 'k1', json: true }, io));
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(await api.show('k1', {}))));
  });
});

describe('nodex usage reset', () => {
  it('resets one key or every key, and needs one of the two', async () => {
    const one = await capture((io) => runUsageReset(api, { id: 'k1' }, io));
    expect(one).toMatchObject({
      code: EXIT.ok,
      stdout: 'reset: a new quota window starts now for key k1 (usage totals are kept)\n',
    });
    expect((await api.show('k1', {})).window).toMatchObject({ window_start: NOW, tokens: 0 });
    const all = await capture((io) => runUsageReset(api, { all: true, json: true }, io));
    expect(JSON.parse(all.stdout)).toEqual({ reset: 'all' });
    const neither = await capture((io) => runUsageReset(api, {}, io));
    expect(neither).toMatchObject({ code: EXIT.usage, stdout: '' });
    expect(neither.stderr).toBe('error: usage reset needs a key id, or --all to reset every key\n');
    expect((await capture((io) => runUsageReset(api, { id: 'k1', all: true }, io))).code).toBe(EXIT.usage);
  });
});

describe('registerUsage', () => {
  async function cli(argv: string[]) {
    const captured = captureIo(dir.path);
    const connections: string[] = [];
    let code: ExitCode = EXIT.ok;
    const program = new Command('nodex').option('--config <file>').exitOverride();
    const admin = { usage: api } as unknown as AdminApi;
    registerUsage(program, { io: captured.io, setExitCode: (c) => (code = c) }, async (_context, options) => {
      connections.push(`open ${options.config ?? '-'}`);
      return { api: admin, close: () => void connections.push('close') };
    });
    await program.parseAsync(argv, { from: 'user' });
    return { code, connections, stdout: captured.stdout(), stderr: captured.stderr() };
  }

  it('connects once per command, passes --config, and closes after', async () => {
    const out = await cli(['--config', 'c.yaml', 'usage', 'show', 'k1', '--json']);
    expect(out.code).toBe(EXIT.ok);
    expect(JSON.parse(out.stdout).key_id).toBe('k1');
    expect(out.connections).toEqual(['open c.yaml', 'close']);
    expect((await cli(['usage', 'list', '--since', '2026-10-01', '--key', 'k1'])).stdout).toContain('k1 ');
  });

  it('reports a usage mistake with exit 2 without connecting', async () => {
    const out = await cli(['usage', 'reset']);
    expect(out).toMatchObject({ code: EXIT.usage, connections: [] });
  });
});

describe('usage formatting', () => {
  it('reads --since and writes waits', () => {
    expect(parseSince('7d', NOW)).toBe(NOW - 7 * DAY);
    expect(parseSince('2026-11-01', NOW)).toBe(Date.UTC(2026, 10, 1));
    expect(parseSince('2026-11-01 10:30', NOW)).toBe(Date.UTC(2026, 10, 1, 10, 30));
    expect(parseSince('2026-11-01T10:30+01:00', NOW)).toBe(Date.UTC(2026, 10, 1, 9, 30));
    expect(() => parseSince('7', NOW)).toThrow('--since takes');
    expect(formatWait(30_000)).toBe('<1m');
    expect(formatWait(90 * 60_000)).toBe('1h 30m');
    expect(formatWait(3 * DAY + 4 * H + 5 * 60_000)).toBe('3d 4h');
    expect(formatWait(DAY + 5 * 60_000)).toBe('1d');
  });
});
