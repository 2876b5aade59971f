import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { NodexError } from '../../core/errors.js';
import { oauthFailure } from '../oauth-error.js';
import { oauthRequest } from '../oauth-http.js';
import type { CodexOAuthCallOptions } from './codex-oauth-client.js';
import type { CodexOAuthSettings } from './codex-oauth-settings.js';

/** A pending device-code login (wire.md §1.4, "Device-code login"). `userCode` is shown to the user. */
export interface CodexDeviceCode {
  readonly deviceAuthId: string;
  readonly userCode: string;
  readonly verificationUrl: string;
  readonly intervalMs: number;
  /** Codex's codes expire after 15 minutes. */
  readonly expiresAt: number;
}

const UserCodeSchema = z.looseObject({
  device_auth_id: z.string().min(1),
  user_code: z.string().min(1).optional(),
  usercode: z.string().min(1).optional(),
  interval: z.union([z.string(), z.number()]).optional(),
});

const ApprovedSchema = z.looseObject({
  authorization_code: z.string().min(1),
  code_verifier: z.string().min(1),
  code_challenge: z.string().optional(),
});

const DEVICE_CODE_LIFETIME_MS = 15 * 60_000;

/**
 * Step 1: `POST usercode {client_id}`. A 404 means the issuer has device login switched off.
 *
 * @example
 * const device = await requestCodexDeviceCode(settings);
 * console.error(`Open ${device.verificationUrl} and enter ${device.userCode}`);
 * const { code, verifier } = await pollCodexDeviceApproval(settings, device, { signal });
 */
export async function requestCodexDeviceCode(
  settings: CodexOAuthSettings,
  options: CodexOAuthCallOptions = {},
): Promise<CodexDeviceCode> {
  const what = 'codex device login';
  const json = { client_id: settings.clientId };
  const response = await oauthRequest('POST', settings.deviceUserCodeUrl, { json }, { ...options, what });
  if (response.status === 404) {
    throw new NodexError(
      'not_supported',
      'device-code login is not enabled for this account or issuer; use `nodex login codex` or `--no-browser`',
      { provider: 'codex' },
    );
  }
  if (response.status < 200 || response.status >= 300) throw oauthFailure(response, what, []);
  const parsed = UserCodeSchema.safeParse(response.json);
  const userCode = parsed.success ? (parsed.data.user_code ?? parsed.data.usercode) : undefined;
  if (!parsed.success || !userCode)
    throw new NodexError('upstream_protocol', `${what}: the answer has no device code`, {
      provider: 'codex',
    });
  const seconds = Number(parsed.data.interval ?? 5);
  return {
    deviceAuthId: parsed.data.device_auth_id,
    userCode,
    verificationUrl: settings.deviceVerificationUrl,
    intervalMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 5000,
    expiresAt: (options.now ?? Date.now)() + DEVICE_CODE_LIFETIME_MS,
  };
}

/**
 * Step 3: polls `POST token {device_auth_id, user_code}` at the server's interval until the user
 * approves (200 with a code and the verifier to exchange it with), the code expires, or `signal`
 * aborts. 403 and 404 mean "not yet".
 */
export async function pollCodexDeviceApproval(
  settings: CodexOAuthSettings,
  device: CodexDeviceCode,
  options: CodexOAuthCallOptions = {},
): Promise<{ readonly code: string; readonly verifier: string }> {
  const what = 'codex device login';
  const now = options.now ?? Date.now;
  const json = { device_auth_id: device.deviceAuthId, user_code: device.userCode };
  for (;;) {
    if (now() > device.expiresAt) {
      throw new NodexError(
        'credentials_missing',
        'the device code expired before it was approved; run `nodex login codex --device` again',
        { provider: 'codex' },
      );
    }
    const response = await oauthRequest('POST', settings.deviceTokenUrl, { json }, { ...options, what });
    if (response.status >= 200 && response.status < 300) {
      const approved = ApprovedSchema.safeParse(response.json);
      if (!approved.success)
        throw new NodexError('upstream_protocol', `${what}: the approval has no code`, { provider: 'codex' });
      return { code: approved.data.authorization_code, verifier: approved.data.code_verifier };
    }
    if (response.status !== 403 && response.status !== 404) throw oauthFailure(response, what, []);
    try {
      await sleep(device.intervalMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      throw new NodexError('aborted', 'sign-in cancelled', { cause: error });
    }
  }
}
