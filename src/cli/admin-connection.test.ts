import { afterEach, describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../testing/capture-io.js';
import { startGateway, type TestGateway } from '../testing/gateway-harness.js';
import { connectAdmin } from './admin-connection.js';
import { runCli } from './run-cli.js';

// `nodex keys` / `nodex usage` reach a running gateway through its admin socket, and the database
// directly when none answers: either way the gateway and the CLI agree.

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close(0);
  gw = undefined;
});

async function cli(home: string, args: string[]) {
  const io = captureIo(home, { HOME: home, NODEX_HOME: home });
  const code = await runCli(args, io.io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const chat = (url: string, key: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'mock-text', messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('the CLI and a running gateway', () => {
  it('goes through the admin socket: a key added by the CLI works at once, a revoke stops it at once', async () => {
    gw = await startGateway({ config: { server: { allow_any_key: false } }, admin: true });
    const home = gw.stateDir;
    const connection = await connectAdmin(
      { io: captureIo(home, { NODEX_HOME: home }).io, setExitCode: () => {} },
      {},
    );
    expect(connection.via).toBe('socket');
    await connection.close();

    const added = await cli(home, ['keys', 'add', '--label', 'from-cli', '--rpm', '100', '--json']);
    expect(added.code).toBe(0);
    const { key, record } = JSON.parse(added.stdout) as { key: string; record: { id: string } };
    expect((await chat(gw.url, key)).status).toBe(200);

    const usage = await cli(home, ['usage', 'show', record.id, '--json']);
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.stdout)).toMatchObject({
      key_id: record.id,
      totals: [expect.objectContaining({ requests: 1 })],
    });

    expect((await cli(home, ['keys', 'revoke', record.id])).code).toBe(0);
    expect((await chat(gw.url, key)).status).toBe(401);
    expect(gw.logText()).not.toContain(key);
  });

  it('falls back to the database when no gateway answers, and a gateway started later sees the key', async () => {
    const home = tempDir('nodex-cli-db-');
    const connection = await connectAdmin(
      { io: captureIo(home.path, { NODEX_HOME: home.path }).io, setExitCode: () => {} },
      {},
    );
    expect(connection.via).toBe('database');
    await connection.close();
    const added = await cli(home.path, ['keys', 'add', '--label', 'offline', '--json']);
    const { key } = JSON.parse(added.stdout) as { key: string };
    gw = await startGateway({ config: { server: { allow_any_key: false } }, stateDir: home.path });
    expect((await chat(gw.url, key)).status).toBe(200);
    const listed = await cli(home.path, ['usage', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ requests: 1 })]);
    await gw.close(0);
    gw = undefined;
    home.cleanup();
  });
});
