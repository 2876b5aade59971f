import { z } from 'zod';
import { ConfigError, formatKeyPath } from '../config/config-error.js';
import type { NodexConfig } from '../config/schema.js';
import type { Provider } from '../core/provider.js';
import { anthropicFactory } from './anthropic/anthropic-factory.js';
import { codexFactory } from './codex/codex-factory.js';
import { mockFactory } from './mock/mock-factory.js';
import {
  geminiFactory,
  openAICompatibleFactory,
  openaiFactory,
} from './openai-compatible/openai-compatible-factory.js';
import {
  type ProviderBuildContext,
  type ProviderFactory,
  ProviderUnavailableError,
} from './provider-factory.js';

/** One line per provider kind: adding a provider adds a line here (docs/architecture.md). */
export const PROVIDER_FACTORIES: Readonly<Record<string, ProviderFactory<never>>> = {
  anthropic: anthropicFactory as ProviderFactory<never>,
  codex: codexFactory as ProviderFactory<never>,
  gemini: geminiFactory as ProviderFactory<never>,
  mock: mockFactory as ProviderFactory<never>,
  openai: openaiFactory as ProviderFactory<never>,
  'openai-compatible': openAICompatibleFactory as ProviderFactory<never>,
};

const CommonSchema = z.object({
  type: z.string().optional(),
  enabled: z.boolean().default(true),
  patterns: z.array(z.string().min(1)).default([]),
});

export interface ProviderEntry {
  readonly id: string;
  readonly kind: string;
  /** Model patterns from `providers.<id>.patterns`. */
  readonly patterns: readonly string[];
}

export interface SkippedProvider {
  readonly id: string;
  readonly kind: string;
  readonly reason: string;
}

export interface BuiltProviders {
  readonly providers: ReadonlyMap<string, Provider>;
  readonly entries: readonly ProviderEntry[];
  readonly skipped: readonly SkippedProvider[];
}

function sectionError(id: string, issue: z.core.$ZodIssue, file: string | undefined): ConfigError {
  return new ConfigError(issue.message.replace(/^Invalid input: /, ''), {
    file,
    keyPath: formatKeyPath(['providers', id, ...issue.path]),
  });
}

type BuildOne = { provider: Provider; entry: ProviderEntry } | { skipped: SkippedProvider } | undefined;

/**
 * Builds one provider from its `providers.<id>` section; returns undefined when it is disabled and
 * `skipped` when it cannot start. Config errors throw a ConfigError naming the key path.
 */
export function buildProvider(
  id: string,
  section: Readonly<Record<string, unknown>>,
  context: ProviderBuildContext & { readonly configPath?: string },
): BuildOne {
  const common = CommonSchema.safeParse(section);
  if (!common.success) throw sectionError(id, common.error.issues[0] as z.core.$ZodIssue, context.configPath);
  const kind = common.data.type ?? id;
  const factory = PROVIDER_FACTORIES[kind];
  if (!factory) {
    throw new ConfigError(
      `unknown provider type "${kind}" (known: ${Object.keys(PROVIDER_FACTORIES).join(', ')})`,
      {
        file: context.configPath,
        keyPath: `providers.${id}${common.data.type ? '.type' : ''}`,
      },
    );
  }
  if (!common.data.enabled) return undefined;
  const { type: _type, enabled: _enabled, patterns: _patterns, ...rest } = section;
  const options = factory.schema.safeParse(rest);
  if (!options.success)
    throw sectionError(id, options.error.issues[0] as z.core.$ZodIssue, context.configPath);
  try {
    return {
      provider: factory.create(id, options.data as never, context),
      entry: { id, kind, patterns: common.data.patterns },
    };
  } catch (error) {
    if (!(error instanceof ProviderUnavailableError)) throw error;
    return { skipped: { id, kind, reason: error.reason } };
  }
}

/**
 * Builds every configured provider (plus the built-in ones that need no section), validating each
 * `providers.<id>` section with its kind's schema. Providers that cannot start are skipped with
 * their reason; config errors throw.
 */
export function buildProviders(
  config: NodexConfig,
  context: ProviderBuildContext & { readonly configPath?: string },
): BuiltProviders {
  const providers = new Map<string, Provider>();
  const entries: ProviderEntry[] = [];
  const skipped: SkippedProvider[] = [];
  const sections = new Map<string, Readonly<Record<string, unknown>>>(Object.entries(config.providers));
  for (const [kind, factory] of Object.entries(PROVIDER_FACTORIES)) {
    if (factory.builtIn && !sections.has(kind)) sections.set(kind, {});
  }
  for (const [id, section] of sections) {
    const result = buildProvider(id, section, context);
    if (!result) continue;
    if ('skipped' in result) skipped.push(result.skipped);
    else {
      providers.set(id, result.provider);
      entries.push(result.entry);
    }
  }
  return { providers, entries, skipped };
}
