import { spawn } from 'node:child_process';
import type { Env } from '../config/paths.js';

function launcher(url: string, env: Env, platform: NodeJS.Platform): [string, string[]] | undefined {
  const browser = env.BROWSER?.trim();
  if (browser === 'none') return undefined;
  if (browser) return [browser, [url]];
  if (platform === 'darwin') return ['open', [url]];
  // rundll32 takes the URL verbatim; `cmd /c start` would split it at every `&`.
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  // Without a display, xdg-open may start a text browser in this very terminal: print the URL only.
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return ['xdg-open', [url]];
}

/**
 * Opens `url` in the user's browser, best effort: `$BROWSER` (`none` disables it), `open` on macOS,
 * `rundll32` on Windows, `xdg-open` on a Linux desktop. Failures are ignored: the caller always
 * prints the URL as well. Returns whether a launcher was started.
 *
 * @example
 * openBrowser(authorizeUrl, process.env);
 */
export function openBrowser(url: string, env: Env, platform: NodeJS.Platform = process.platform): boolean {
  const command = launcher(url, env, platform);
  if (!command) return false;
  try {
    const child = spawn(command[0], command[1], { detached: true, stdio: 'ignore', env: { ...env } });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
