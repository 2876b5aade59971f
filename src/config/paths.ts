import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** Expands a leading `~` to the home directory. */
export function expandHome(path: string, env: Env = process.env): string {
  const home = env.HOME || homedir();
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** Where nodex keeps its state: `NODEX_HOME`, else `~/.nodex`. */
export function nodexHome(env: Env = process.env): string {
  const configured = env.NODEX_HOME;
  return configured ? resolve(expandHome(configured, env)) : join(env.HOME || homedir(), '.nodex');
}

/** The default config file: `$XDG_CONFIG_HOME/nodex/config.yaml`, else `~/.config/nodex/config.yaml`. */
export function defaultConfigPath(env: Env = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'nodex', 'config.yaml');
}

/** The config file to read: `--config`, else `NODEX_CONFIG`, else the default; `explicit` says the user named it. */
export function resolveConfigPath(
  flag: string | undefined,
  env: Env = process.env,
): { path: string; explicit: boolean } {
  if (flag) return { path: resolve(expandHome(flag, env)), explicit: true };
  if (env.NODEX_CONFIG) return { path: resolve(expandHome(env.NODEX_CONFIG, env)), explicit: true };
  return { path: defaultConfigPath(env), explicit: false };
}
