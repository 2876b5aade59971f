import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compatBlobDir, compatDbPath, resolveCompatDir } from './compat-paths.js';
import { CompatStore } from './compat-store.js';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodex-compat-paths-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('resolveCompatDir', () => {
  const env = { HOME: '/home/ada', NODEX_HOME: '/srv/nodex', NODEX_COMPAT_STORAGE_DIR: '/data/compat' };

  it('prefers the explicit option, then NODEX_COMPAT_STORAGE_DIR, then NODEX_HOME/compat, then ~/.nodex/compat', () => {
    expect(resolveCompatDir({ compatStorageDir: '/opt/here', env })).toBe('/opt/here');
    expect(resolveCompatDir({ env })).toBe('/data/compat');
    expect(resolveCompatDir({ env: { HOME: '/home/ada', NODEX_HOME: '/srv/nodex' } })).toBe(
      '/srv/nodex/compat',
    );
    expect(resolveCompatDir({ env: { HOME: '/home/ada' } })).toBe('/home/ada/.nodex/compat');
  });

  it('expands ~ in the option and the variable', () => {
    expect(resolveCompatDir({ compatStorageDir: '~/c', env })).toBe('/home/ada/c');
    expect(resolveCompatDir({ env: { HOME: '/home/ada', NODEX_COMPAT_STORAGE_DIR: '~/vc' } })).toBe(
      '/home/ada/vc',
    );
  });

  it('ignores an empty variable', () => {
    expect(resolveCompatDir({ env: { HOME: '/home/ada', NODEX_COMPAT_STORAGE_DIR: '' } })).toBe(
      '/home/ada/.nodex/compat',
    );
  });
});

describe('CompatStore.open', () => {
  it('creates the directory 0700 and the database 0600, resolved from the environment', () => {
    const home = tempDir();
    const store = CompatStore.open({ env: { HOME: '/nonexistent', NODEX_HOME: home } });
    try {
      const dir = join(home, 'compat');
      expect(store.dir).toBe(dir);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(compatBlobDir(dir)).mode & 0o777).toBe(0o700);
      expect(statSync(compatDbPath(dir)).mode & 0o777).toBe(0o600);
    } finally {
      store.close();
    }
  });
});
