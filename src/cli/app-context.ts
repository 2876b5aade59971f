import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import { nodexHome } from '../config/paths.js';
import { type BuiltProviders, buildProviders } from '../providers/registry.js';
import { createRouter } from '../routing/create-router.js';
import { ModelDirectory } from '../routing/model-directory.js';
import type { Router } from '../routing/router.js';
import type { CliIo } from './io.js';

export interface AppContext {
  readonly loaded: LoadedConfig;
  readonly built: BuiltProviders;
  readonly router: Router;
  readonly directory: ModelDirectory;
}

/**
 * What most commands need: the config (warnings printed once), the providers it configures (each
 * one that cannot start noted once), a router that also knows discovered models, and the
 * discovery cache.
 */
export function appContext(
  io: CliIo,
  configPath: string | undefined,
  options: { readonly quietSkips?: boolean } = {},
): AppContext {
  const loaded = loadConfig({ path: configPath, env: io.env });
  for (const warning of loaded.warnings) io.stderr.write(`warning: config ${warning}\n`);
  return appContextFrom(io, loaded, options);
}

/** The same, from a config already loaded (and its warnings already printed). */
export function appContextFrom(
  io: CliIo,
  loaded: LoadedConfig,
  options: { readonly quietSkips?: boolean } = {},
): AppContext {
  const built = buildProviders(loaded.config, {
    env: io.env,
    home: nodexHome(io.env),
    configPath: loaded.path,
    onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
  });
  if (!options.quietSkips)
    for (const skip of built.skipped)
      if (loaded.config.providers[skip.id])
        io.stderr.write(`warning: provider ${skip.id} is skipped: ${skip.reason}\n`);
  const directory = new ModelDirectory({
    providers: () => [...built.providers.values()],
    onWarning: (w) => io.stderr.write(`warning: ${w.details}\n`),
  });
  const router = createRouter(loaded.config, built, (model) => directory.providerOf(model));
  return { loaded, built, router, directory };
}
