import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodexError } from '../core/errors.js';
import { tempDir } from '../testing/capture-io.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { maskSecrets } from './mask-secrets.js';
import { defaultConfigPath, nodexHome, resolveConfigPath } from './paths.js';
import { CONFIG_TEMPLATE } from './template.js';
import { parseBytes, parseDuration } from './units.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

function write(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('uses built-in defaults when the default file is absent', () => {
    const loaded = loadConfig({ env: { HOME: dir.path } });
    expect(loaded.fromFile).toBe(false);
    expect(loaded.path).toBe(join(dir.path, '.config', 'nodex', 'config.yaml'));
    expect(loaded.config.server).toEqual({
      listen: '127.0.0.1:39001',
      body_limit: 10 * 1024 * 1024,
      api_keys: [],
      allow_any_key: false,
      keepalive_interval: 15_000,
      shutdown_grace: 10_000,
      max_retries: 2,
      session_ttl: 6 * 3_600_000,
      admin_token_env: 'NODEX_ADMIN_TOKEN',
    });
    expect(loaded.config.keys).toEqual({ default_policy: {} });
    expect(loaded.config.usage).toEqual({ history: false, retention: 30 * 86_400_000 });
    expect(loaded.config.payments).toEqual({ enabled: false, timeout: 5000 });
    expect(
      loadConfig({ env: { HOME: dir.path, NODEX_ALLOW_ANY_KEY: 'yes' } }).config.server.allow_any_key,
    ).toBe(true);
    expect(() => loadConfig({ env: { HOME: dir.path, NODEX_ALLOW_ANY_KEY: 'maybe' } })).toThrow(
      /server\.allow_any_key/,
    );
    expect(loaded.config.exec.timeout).toBe(90_000);
    expect(loaded.config.state.driver).toBe('sqlite');
  });

  it('layers file < environment < flags', () => {
    const path = write(
      'c.yaml',
      'server:\n  listen: 127.0.0.1:1000\nexec:\n  model: from-file\n  mock_mode: text\n',
    );
    const env = { HOME: dir.path, NODEX_LISTEN: '127.0.0.1:2000', NODEX_MODEL: 'from-env' };
    const loaded = loadConfig({ path, env, overrides: { 'exec.model': 'from-flag' } });
    expect(loaded.config.server.listen).toBe('127.0.0.1:2000');
    expect(loaded.config.exec.model).toBe('from-flag');
    expect(loaded.config.exec.mock_mode).toBe('text');
  });

  it('finds the file through NODEX_CONFIG and XDG_CONFIG_HOME', () => {
    const path = write('env.yaml', 'exec:\n  model: via-env\n');
    expect(loadConfig({ env: { HOME: dir.path, NODEX_CONFIG: path } }).config.exec.model).toBe('via-env');
    mkdirSync(join(dir.path, 'xdg', 'nodex'), { recursive: true });
    writeFileSync(join(dir.path, 'xdg', 'nodex', 'config.yaml'), 'exec:\n  model: via-xdg\n');
    expect(
      loadConfig({ env: { HOME: dir.path, XDG_CONFIG_HOME: join(dir.path, 'xdg') } }).config.exec.model,
    ).toBe('via-xdg');
  });

  it('a type error names the file, the key path and the expected type', () => {
    const path = write('bad.yaml', 'exec:\n  timeout: 90s\nserver:\n  listen: 5\n');
    expect(() => loadConfig({ path, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ path, env: {} })).toThrow(
      `${path}: server.listen: expected string, received number`,
    );
    const badDuration = write('dur.yaml', 'exec:\n  timeout: banana\n');
    expect(() => loadConfig({ path: badDuration, env: {} })).toThrow(/exec\.timeout: expected a duration/);
    const badEnum = write('enum.yaml', 'state:\n  driver: mysql\n');
    expect(() => loadConfig({ path: badEnum, env: {} })).toThrow(/state\.driver: .*sqlite.*postgres/);
    const nested = write('nested.yaml', 'routing:\n  patterns:\n    - pattern: "x-*"\n');
    expect(() => loadConfig({ path: nested, env: {} })).toThrow(/routing\.patterns\[0\]\.provider/);
  });

  it('environment values are validated too', () => {
    expect(() => loadConfig({ env: { HOME: dir.path, NODEX_LISTEN: 'nonsense' } })).toThrow(
      /server\.listen: expected HOST:PORT/,
    );
  });

  it('reports unknown keys with their path, ignores them, keeps the rest', () => {
    const path = write('u.yaml', 'server:\n  lisen: x\n  listen: 127.0.0.1:3\nbogus: 1\n');
    const loaded = loadConfig({ path, env: {} });
    expect(loaded.warnings).toEqual(['server.lisen: unknown key (ignored)', 'bogus: unknown key (ignored)']);
    expect(loaded.config.server.listen).toBe('127.0.0.1:3');
  });

  it('YAML syntax errors and a missing named file are config errors with the location', () => {
    const path = write('syntax.yaml', 'server:\n  listen: [unclosed\n');
    expect(() => loadConfig({ path, env: {} })).toThrow(/syntax\.yaml: line \d+, column \d+/);
    expect(() => loadConfig({ path: join(dir.path, 'missing.yaml'), env: {} })).toThrow(
      /cannot read the config file/,
    );
    const list = write('list.yaml', '- a\n- b\n');
    expect(() => loadConfig({ path: list, env: {} })).toThrow(/mapping of sections/);
    expect(NodexError.isInstance(new ConfigError('x'))).toBe(true);
  });

  it('the template that `config init` writes validates as written', () => {
    const path = write('template.yaml', CONFIG_TEMPLATE);
    const loaded = loadConfig({ path, env: {} });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.server.body_limit).toBe(10 * 1024 * 1024);
  });
});

describe('paths and units', () => {
  it('resolves NODEX_HOME, ~ and the config path precedence', () => {
    expect(nodexHome({ HOME: '/h' })).toBe('/h/.nodex');
    expect(nodexHome({ HOME: '/h', NODEX_HOME: '~/state' })).toBe('/h/state');
    expect(defaultConfigPath({ HOME: '/h' })).toBe('/h/.config/nodex/config.yaml');
    expect(resolveConfigPath('~/a.yaml', { HOME: '/h', NODEX_CONFIG: '/b.yaml' })).toEqual({
      path: '/h/a.yaml',
      explicit: true,
    });
    expect(resolveConfigPath(undefined, { HOME: '/h', NODEX_CONFIG: '/b.yaml' })).toEqual({
      path: '/b.yaml',
      explicit: true,
    });
  });

  it('parses durations and sizes', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseBytes('10mb')).toBe(10_485_760);
    expect(parseBytes('512KB')).toBe(524_288);
    expect(parseBytes('-1')).toBeUndefined();
  });
});

describe('maskSecrets', () => {
  it('masks secret-named keys and URL passwords, keeps variable names', () => {
    expect(
      maskSecrets({
        providers: { x: { api_key: 'sk-live-123', api_key_env: 'X_KEY', base_url: 'http://h/v1' } },
        state: { url: 'postgres://nodex:hunter2@db:5432/nodex' },
        admin_token: 'tok',
        list: [{ secret: 's' }],
        telemetry: { headers: { Authorization: 'Bearer otlp-secret', 'x-team': 'abc' } },
      }),
    ).toEqual({
      providers: { x: { api_key: '***', api_key_env: 'X_KEY', base_url: 'http://h/v1' } },
      state: { url: 'postgres://nodex:***@db:5432/nodex' },
      admin_token: '***',
      list: [{ secret: '***' }],
      telemetry: { headers: { Authorization: '***', 'x-team': '***' } },
    });
  });
});
