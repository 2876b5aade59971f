import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlWriter } from '../../gateway/observe/jsonl-writer.js';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { startTracedGateway } from '../../testing/traced-gateway.js';
import { runCli } from '../run-cli.js';
import { runTail } from './tail.js';

let dir: ReturnType<typeof tempDir>;
let stop: AbortController;
let trace: string;
let audit: string;
let configPath: string;
beforeEach(() => {
  dir = tempDir();
  stop = new AbortController();
  mkdirSync(join(dir.path, 'logs'));
  trace = join(dir.path, 'logs', 'trace.jsonl');
  audit = join(dir.path, 'logs', 'audit.jsonl');
  configPath = join(dir.path, 'config.yaml');
  writeFileSync(configPath, JSON.stringify({ server: { trace: { path: trace }, audit: { path: audit } } }));
});
afterEach(() => {
  stop.abort();
  dir.cleanup();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('nodex tail', () => {
  it('prints lines appended after it started, labelled, until Ctrl-C', async () => {
    writeFileSync(audit, '{"old":1}\n'); // there before: not printed
    const io = captureIo(dir.path, {}, stop.signal);
    const running = runCli(['--config', configPath, 'tail'], io.io);
    await until(() => io.stderr().includes(`following ${audit}`), 'tail to start');
    await sleep(300); // at least one poll of the existing file
    appendFileSync(audit, '{"status":200}\n');
    appendFileSync(trace, '{"phase":"request"}\n'); // a file that appears after tail started
    await until(() => io.stdout().includes('[trace] {"phase":"request"}'), 'the trace line');
    await until(() => io.stdout().includes('[audit] {"status":200}'), 'the audit line');
    expect(io.stdout()).not.toContain('"old"');
    stop.abort();
    expect(await running).toBe(0);
  });

  it('--audit --grep: one file, matching lines only; follows a rotation', async () => {
    writeFileSync(audit, '');
    const io = captureIo(dir.path, {}, stop.signal);
    const running = runTail({ config: configPath, audit: true, grep: '"status":401', pollMs: 20 }, io.io);
    await until(() => io.stderr().includes('following'), 'tail to start');
    await sleep(60);
    appendFileSync(trace, '{"status":401,"from":"trace"}\n');
    appendFileSync(audit, '{"status":200}\n{"status":401,"n":1}\n');
    // Rotation: a last line in the old file, renamed to .1, then a new file.
    appendFileSync(audit, '{"status":401,"n":2}\n');
    renameSync(audit, `${audit}.1`);
    writeFileSync(audit, '{"status":401,"n":3}\n');
    await until(() => io.stdout().includes('"n":3'), 'the line after the rotation');
    expect(io.stdout()).toBe(
      ['{"status":401,"n":1}', '{"status":401,"n":2}', '{"status":401,"n":3}']
        .map((l) => `[audit] ${l}\n`)
        .join(''),
    );
    stop.abort();
    expect(await running).toBe(0);
  });

  it('follows a rotating JsonlWriter without losing lines', async () => {
    const io = captureIo(dir.path, {}, stop.signal);
    const running = runTail({ config: configPath, trace: true, pollMs: 10 }, io.io);
    await until(() => io.stderr().includes('following'), 'tail to start');
    const writer = new JsonlWriter({ path: trace, maxBytes: 200, maxFiles: 3 });
    for (let i = 0; i < 20; i += 1) {
      writer.write(JSON.stringify({ i }));
      await writer.flush();
      await sleep(25);
    }
    await writer.close();
    await until(() => io.stdout().includes('{"i":19}'), 'the last line');
    const seen = io.stdout().trimEnd().split('\n');
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `[trace] {"i":${i}}`));
    stop.abort();
    await running;
  });

  it('shows a live gateway request in the audit log', async () => {
    const t = await startTracedGateway(dir.path, {
      server: { audit: { path: audit }, trace: { path: trace } },
    });
    try {
      const io = captureIo(dir.path, {}, stop.signal);
      const running = runTail({ config: configPath, audit: true, pollMs: 20 }, io.io);
      await until(() => io.stderr().includes('following'), 'tail to start');
      await sleep(60);
      const client = new OpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: t.key, maxRetries: 0 });
      await client.responses.create({ model: 'gpt-5.5', input: 'hi' });
      await until(() => io.stdout().includes('"route":"responses"'), 'the audit line');
      expect(io.stdout()).toMatch(/^\[audit\] \{.*"key_label":"tracer".*"status":200.*\}\n$/);
      stop.abort();
      await running;
    } finally {
      await t.close();
    }
  });
});
