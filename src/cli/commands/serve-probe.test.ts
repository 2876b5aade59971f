import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { EXIT, type ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';
import { runProbe } from './probe.js';
import { parseListen, runServe } from './serve.js';

const KEY = 'nx-test-key-0001';

let dir: ReturnType<typeof tempDir>;
let stop: AbortController;
let served: Promise<ExitCode>;
let serveIo: ReturnType<typeof captureIo>;
let url: string;

beforeEach(async () => {
  dir = tempDir('nodex-serve-');
  const config = join(dir.path, 'nodex.yaml');
  writeFileSync(
    config,
    `server:\n  api_keys: [${KEY}]\n  shutdown_grace: 1s\nrouting:\n  aliases:\n    fast: mock-text\n`,
  );
  stop = new AbortController();
  serveIo = captureIo(dir.path, { HOME: dir.path }, stop.signal);
  served = runServe({ config, listen: '127.0.0.1:0' }, serveIo.io);
  await vi.waitFor(() => expect(serveIo.stdout()).toMatch(/^listening on /));
  url = serveIo.stdout().trim().slice('listening on '.length);
});

afterEach(async () => {
  stop.abort();
  await served;
  dir.cleanup();
});

describe('nodex serve (in process)', () => {
  it('serves with the configured key only, says nothing loud about keys, and stops with exit 0', async () => {
    expect(serveIo.stderr()).not.toContain('allow_any_key');
    const body = JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'hi' }] });
    const send = (headers: Record<string, string>) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    expect((await send({})).status).toBe(401);
    expect((await send({ authorization: 'Bearer nx-wrong-key-0000' })).status).toBe(401);
    expect((await send({ authorization: `Bearer ${KEY}` })).status).toBe(200);
    stop.abort();
    expect(await served).toBe(EXIT.ok);
    expect(serveIo.stderr()).toContain('stopping: finishing in-flight requests (up to 1000 ms)');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('warns when no key is configured and any-key mode is off', async () => {
    const lonely = tempDir('nodex-serve-nokeys-');
    const controller = new AbortController();
    const io = captureIo(lonely.path, { HOME: lonely.path }, controller.signal);
    const running = runServe({ listen: '127.0.0.1:0' }, io.io);
    await vi.waitFor(() => expect(io.stdout()).toMatch(/^listening on /));
    expect(io.stderr()).toContain('warning: no API keys configured');
    controller.abort();
    expect(await running).toBe(EXIT.ok);
    lonely.cleanup();
  });
});

describe('nodex probe', () => {
  it('names the backend of a model, and the alias behind a name', async () => {
    const io = captureIo(dir.path);
    expect(await runProbe('mock', { url, key: KEY }, io.io)).toBe(EXIT.ok);
    expect(io.stdout()).toBe('OK: mock (mock) [Mock (default mode)]\n');
    const alias = captureIo(dir.path);
    expect(await runProbe('fast', { url, key: KEY }, alias.io)).toBe(EXIT.ok);
    expect(alias.stdout()).toMatch(/^OK: fast → mock-text \(mock\)/);
  });

  it('--json prints the gateway answer; the key can come from NODEX_API_KEY and the URL from NODEX_URL', async () => {
    const io = captureIo(dir.path, { NODEX_URL: url, NODEX_API_KEY: KEY });
    expect(await runProbe('mock', { json: true }, io.io)).toBe(EXIT.ok);
    expect(JSON.parse(io.stdout())).toMatchObject({ id: 'mock', backend: 'mock' });
  });

  it('exits 1 for an unknown model, a refused key and an unreachable gateway', async () => {
    const missing = captureIo(dir.path);
    expect(await runProbe('no-such-model', { url, key: KEY }, missing.io)).toBe(EXIT.failure);
    expect(missing.stdout()).toBe('ERROR: model "no-such-model" not found\n');
    const json = captureIo(dir.path);
    expect(await runProbe('no-such-model', { url, key: KEY, json: true }, json.io)).toBe(EXIT.failure);
    expect(JSON.parse(json.stdout())).toEqual({ status: 'not_found', model: 'no-such-model' });

    const refused = captureIo(dir.path);
    expect(await runProbe('mock', { url, key: 'nx-wrong-key-0000' }, refused.io)).toBe(EXIT.failure);
    expect(refused.stderr()).toMatch(/^error: unexpected status 401/);
    expect(refused.stderr()).not.toContain('nx-wrong-key-0000');

    const down = captureIo(dir.path);
    expect(await runProbe('mock', { url: 'http://127.0.0.1:9', key: KEY }, down.io)).toBe(EXIT.failure);
    expect(down.stderr()).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe('parseListen', () => {
  it('reads HOST:PORT, bracketed IPv6 and a bare :PORT; rejects the rest as a usage error', () => {
    expect(parseListen('127.0.0.1:39001')).toEqual({ host: '127.0.0.1', port: 39001 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(() => parseListen('localhost')).toThrow(UsageError);
    expect(() => parseListen('127.0.0.1:70000')).toThrow(/expected HOST:PORT/);
  });
});
