import type { Dispatcher } from 'undici';
import type { Env } from '../../config/paths.js';
import { nodexHome } from '../../config/paths.js';
import { NodexError } from '../../core/errors.js';
import { authorizationCodeFrom } from '../callback-result.js';
import { startCallbackServer } from '../callback-server.js';
import type { CredentialStore, StoreDescription } from '../credential-store.js';
import { readJwtClaims } from '../jwt-claims.js';
import { openBrowser } from '../open-browser.js';
import { createPkceSession } from '../pkce.js';
import { codexAuthorizeUrl } from './codex-authorize-url.js';
import type { CodexCredentials } from './codex-credentials.js';
import { pollCodexDeviceApproval, requestCodexDeviceCode } from './codex-device-flow.js';
import { createNodexCodexStore } from './codex-nodex-store.js';
import { exchangeCodexCode, resolveCodexEndpoints } from './codex-oauth-client.js';
import { CODEX_OAUTH_DEFAULTS, type CodexOAuthSettings } from './codex-oauth-settings.js';
import { parsePastedRedirect } from './parse-pasted-redirect.js';

/** `browser`: local callback server; `paste`: the user pastes the redirect URL; `device`: device code. */
export type CodexLoginMode = 'browser' | 'paste' | 'device';

export interface CodexLoginOptions {
  readonly settings: CodexOAuthSettings;
  readonly mode: CodexLoginMode;
  /** Lines for the user: the URL, the device code. Never receives a secret. */
  readonly print: (line: string) => void;
  /** Reads one line (paste mode): the redirect URL. */
  readonly readLine?: (prompt: string) => Promise<string>;
  /** Opens the browser in browser mode; default `openBrowser(url, env)`. */
  readonly openBrowser?: (url: string) => void;
  /** A status while waiting (for a spinner), and undefined when the wait ends. */
  readonly onWaiting?: (status: string | undefined) => void;
  /** Where the credentials go; default nodex's own store under `home`. */
  readonly store?: CredentialStore<CodexCredentials>;
  readonly env?: Env;
  /** NODEX_HOME. */
  readonly home?: string;
  readonly signal?: AbortSignal;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
}

/** Who signed in, and where the credentials went. Nothing secret. */
export interface CodexLoginResult {
  readonly accountId?: string;
  readonly email?: string;
  readonly planType?: string;
  readonly expiresAt?: number;
  readonly store: StoreDescription;
}

type Grant = { readonly code: string; readonly redirectUri: string; readonly verifier: string };
type Call = Pick<CodexLoginOptions, 'signal' | 'dispatcher' | 'now'>;

async function browserGrant(settings: CodexOAuthSettings, options: CodexLoginOptions): Promise<Grant> {
  const pkce = await createPkceSession();
  const server = await startCallbackServer({
    port: settings.callbackPort,
    fallbackPort: settings.fallbackCallbackPort,
    expectedState: pkce.state,
    ...(settings.redirectUri ? { redirectUri: settings.redirectUri } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const url = codexAuthorizeUrl(settings, pkce, server.redirectUri);
    options.print('Sign in to ChatGPT in your browser. If it did not open, open this URL:');
    options.print(url);
    (options.openBrowser ?? ((target: string) => openBrowser(target, options.env ?? process.env)))(url);
    options.onWaiting?.('Waiting for the browser sign-in (Ctrl-C to cancel)');
    return { code: await server.code, redirectUri: server.redirectUri, verifier: pkce.verifier };
  } finally {
    options.onWaiting?.(undefined);
    await server.close();
  }
}

async function pasteGrant(settings: CodexOAuthSettings, options: CodexLoginOptions): Promise<Grant> {
  if (!options.readLine)
    throw new NodexError('invalid_request', 'paste login needs `readLine` to read the URL');
  const pkce = await createPkceSession();
  const port = settings.callbackPort || CODEX_OAUTH_DEFAULTS.callbackPort;
  const redirectUri = settings.redirectUri ?? `http://localhost:${port}/auth/callback`;
  options.print('Open this URL in any browser and sign in to ChatGPT:');
  options.print(codexAuthorizeUrl(settings, pkce, redirectUri));
  options.print(
    `The browser then goes to ${redirectUri}?code=…, which may show an error page: ` +
      'copy the full address from its address bar.',
  );
  const answer = await options.readLine('Paste the redirect URL here: ');
  const code = authorizationCodeFrom(parsePastedRedirect(answer), pkce.state);
  return { code, redirectUri, verifier: pkce.verifier };
}

async function deviceGrant(
  settings: CodexOAuthSettings,
  options: CodexLoginOptions,
  call: Call,
): Promise<Grant> {
  const device = await requestCodexDeviceCode(settings, call);
  options.print(`Open ${device.verificationUrl} and enter this code: ${device.userCode}`);
  options.print('The code expires in 15 minutes.');
  options.onWaiting?.('Waiting for you to approve the code (Ctrl-C to cancel)');
  try {
    const approved = await pollCodexDeviceApproval(settings, device, call);
    return { code: approved.code, redirectUri: settings.deviceRedirectUri, verifier: approved.verifier };
  } finally {
    options.onWaiting?.(undefined);
  }
}

/**
 * Signs in to ChatGPT for Codex and saves the credentials (nodex's own store by default), with the
 * account id from the id_token claim. `browser` runs the local callback server (wire.md §1.1–1.3),
 * `paste` reads the redirect URL from the user, `device` uses the device-code flow (wire.md §1.4).
 * `signal` cancels cleanly at any step (Ctrl-C).
 *
 * @example
 * const result = await loginCodex({ settings, mode: 'browser', print: (line) => console.error(line) });
 * console.log(`logged in as ${result.email}`);
 */
export async function loginCodex(options: CodexLoginOptions): Promise<CodexLoginResult> {
  const call: Call = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  const settings = await resolveCodexEndpoints(options.settings, call);
  const grant =
    options.mode === 'device'
      ? await deviceGrant(settings, options, call)
      : options.mode === 'paste'
        ? await pasteGrant(settings, options)
        : await browserGrant(settings, options);
  const credentials = await exchangeCodexCode(settings, grant, call);
  const env = options.env ?? process.env;
  const store =
    options.store ??
    createNodexCodexStore({ home: options.home ?? nodexHome(env), mode: settings.credentialStore });
  await store.save(credentials);
  const claims = { ...readJwtClaims(credentials.accessToken), ...readJwtClaims(credentials.idToken) };
  return {
    ...(credentials.accountId ? { accountId: credentials.accountId } : {}),
    ...(claims.email ? { email: claims.email } : {}),
    ...(claims.planType ? { planType: claims.planType } : {}),
    ...(credentials.expiresAt === undefined ? {} : { expiresAt: credentials.expiresAt }),
    store: store.describe(),
  };
}
