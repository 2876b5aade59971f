import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startCallbackServer } from './callback-server.js';

async function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

async function freePort(): Promise<number> {
  const { server, port } = await occupy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const hit = (port: number, query: string) => fetch(`http://127.0.0.1:${port}/auth/callback?${query}`);

describe('startCallbackServer', () => {
  it('returns the code for the right state, shows a success page, then stops listening', async () => {
    const server = await startCallbackServer({ port: 0, expectedState: 'st' });
    expect(server.redirectUri).toBe(`http://localhost:${server.port}/auth/callback`);
    expect((await fetch(`http://127.0.0.1:${server.port}/favicon.ico`)).status).toBe(404);
    const page = await hit(server.port, 'code=the-code&state=st');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in to nodex');
    await expect(server.code).resolves.toBe('the-code');
    await server.close();
    await expect(hit(server.port, 'code=x&state=st')).rejects.toThrow();
  });

  it('answers a state mismatch with a 400 page and fails the login without echoing the code', async () => {
    const server = await startCallbackServer({ port: 0, expectedState: 'st' });
    const page = await hit(server.port, 'code=secret-code&state=other');
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('state mismatch');
    await expect(server.code).rejects.toMatchObject({
      code: 'upstream_unauthorized',
      message: expect.stringContaining('state mismatch'),
    });
    await expect(server.code).rejects.not.toThrow(/secret-code/);
    await server.close();
  });

  it('explains access_denied for a workspace without Codex (missing_codex_entitlement)', async () => {
    const server = await startCallbackServer({ port: 0, expectedState: 'st' });
    const page = await hit(
      server.port,
      'error=access_denied&error_description=missing_codex_entitlement&state=st',
    );
    expect(page.status).toBe(400);
    await expect(server.code).rejects.toThrow(/workspace has no Codex access/);
    await server.close();
  });

  it('falls back to the second port when the first is busy', async () => {
    const busy = await occupy();
    const fallback = await freePort();
    try {
      const server = await startCallbackServer({
        port: busy.port,
        fallbackPort: fallback,
        expectedState: 'st',
      });
      expect(server.port).toBe(fallback);
      expect(server.redirectUri).toBe(`http://localhost:${fallback}/auth/callback`);
      await hit(fallback, 'code=c&state=st');
      await expect(server.code).resolves.toBe('c');
      await server.close();
    } finally {
      busy.server.close();
    }
  });

  it('names both ports when both are busy', async () => {
    const a = await occupy();
    const b = await occupy();
    try {
      await expect(
        startCallbackServer({ port: a.port, fallbackPort: b.port, expectedState: 'st' }),
      ).rejects.toThrow(`port ${a.port} and ${b.port} are busy`);
    } finally {
      a.server.close();
      b.server.close();
    }
  });

  it('is cancelled by /cancel and by an AbortSignal', async () => {
    const first = await startCallbackServer({ port: 0, expectedState: 'st' });
    await fetch(`http://127.0.0.1:${first.port}/cancel`);
    await expect(first.code).rejects.toMatchObject({ code: 'aborted' });
    const controller = new AbortController();
    const second = await startCallbackServer({ port: 0, expectedState: 'st', signal: controller.signal });
    controller.abort();
    await expect(second.code).rejects.toMatchObject({ code: 'aborted' });
    await second.close();
    await first.close();
  });
});
