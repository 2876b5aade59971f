import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { fixtureJson, fixtureText } from '../../testing/fixtures.js';
import { CodexAuthFileStore } from './codex-auth-file-store.js';

let dir: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
  dir = tempDir();
  path = join(dir.path, 'codex', 'auth.json');
  mkdirSync(join(dir.path, 'codex'));
});
afterEach(() => dir.cleanup());

const fixture = fixtureJson<{ tokens: Record<string, string> }>('codex-auth.json');
const store = () => new CodexAuthFileStore({ path, kind: 'codex-cli' });
const loadError = (): Promise<Error & { code?: string }> =>
  store()
    .load()
    .then(
      () => new Error('expected load() to fail'),
      (e: unknown) => e as Error,
    );

describe('CodexAuthFileStore', () => {
  it('reads the Codex CLI format: tokens, account id, expiry from the access-token exp, last_refresh', async () => {
    writeFileSync(path, fixtureText('codex-auth.json'));
    const credentials = await store().load();
    expect(credentials).toEqual({
      accessToken: fixture.tokens.access_token,
      refreshToken: 'rt_FAKE-refresh-token-constructed-fixture-0001',
      idToken: fixture.tokens.id_token,
      accountId: '6f2c1a7e-3b4d-4e5f-9a8b-0c1d2e3f4a5b',
      expiresAt: 1768089600 * 1000,
      lastRefresh: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(store().describe()).toEqual({ kind: 'codex-cli', owner: 'codex-cli', location: path });
  });

  it('takes the account id from the id_token claim when tokens.account_id is absent', async () => {
    const { account_id: _, ...tokens } = fixture.tokens;
    writeFileSync(path, JSON.stringify({ tokens, last_refresh: null }));
    expect((await store().load())?.accountId).toBe('6f2c1a7e-3b4d-4e5f-9a8b-0c1d2e3f4a5b');
  });

  it('reports a truncated file by name and problem, without any of its content', async () => {
    const text = fixtureText('codex-auth.json');
    writeFileSync(path, text.slice(0, text.indexOf('rt_FAKE') + 12));
    const error = await loadError();
    expect(error).toMatchObject({ code: 'credentials_missing' });
    expect(error?.message).toBe(
      `cannot use the credentials in ${path}: the JSON ends early (is the file truncated?); ` +
        'fix or remove the file, or run `nodex login codex`',
    );
    expect(error?.stack ?? '').not.toContain('rt_FAKE');
  });

  it('reports malformed JSON with a position, never quoting the file', async () => {
    writeFileSync(path, '{\n  "tokens": {"access_token": secret-token-value}\n}');
    const error = await loadError();
    expect(error?.message).toContain(`${path}: it is not valid JSON`);
    expect(error?.message).not.toContain('secret-token-value');
  });

  it('reports a wrong field type with its key path and the expected type, not the value', async () => {
    writeFileSync(
      path,
      JSON.stringify({ tokens: { access_token: 12345678901, refresh_token: 'rt-secret' } }),
    );
    const error = await loadError();
    expect(error?.message).toContain(`${path}: tokens.access_token: expected string, received number`);
    expect(error?.message).not.toContain('12345678901');
    writeFileSync(path, '');
    await expect(store().load()).rejects.toThrow('the file is empty');
  });

  it('gives no credentials for an API-key login, and undefined when the file is absent', async () => {
    writeFileSync(path, JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: 'sk-x', tokens: null }));
    expect(await store().load()).toBeUndefined();
    expect(
      await new CodexAuthFileStore({ path: join(dir.path, 'none.json'), kind: 'codex-cli' }).load(),
    ).toBeUndefined();
  });

  it('repairs an id_token that godex rewrote as {raw_jwt} back into a string on save', async () => {
    writeFileSync(
      path,
      JSON.stringify({
        tokens: { ...fixture.tokens, id_token: { raw_jwt: fixture.tokens.id_token } },
        last_refresh: null,
      }),
    );
    const credentials = await store().load();
    expect(credentials?.idToken).toBe(fixture.tokens.id_token);
    await store().save({ accessToken: 'new-access', refreshToken: 'new-refresh' });
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.tokens.id_token).toBe(fixture.tokens.id_token);
    expect(saved.tokens.refresh_token).toBe('new-refresh');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('nodex-file kind writes a new file 0600 in a 0700 directory, with expires_at', async () => {
    const own = new CodexAuthFileStore({
      path: join(dir.path, 'home', 'credentials', 'codex.json'),
      kind: 'nodex-file',
    });
    await own.save({
      accessToken: 'a',
      refreshToken: 'r',
      accountId: 'acct',
      expiresAt: Date.UTC(2030, 0, 1),
    });
    expect(statSync(own.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir.path, 'home', 'credentials')).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(readFileSync(own.path, 'utf8'));
    expect(saved).toMatchObject({ auth_mode: 'chatgpt', expires_at: '2030-01-01T00:00:00.000Z' });
    expect((await own.load())?.expiresAt).toBe(Date.UTC(2030, 0, 1));
    expect(await own.delete()).toBe(true);
    expect(await own.delete()).toBe(false);
  });
});
