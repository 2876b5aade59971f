import type { NodexConfig } from '../config/schema.js';
import type { Provider } from '../core/provider.js';
import { type RouteRule, Router } from './router.js';

/** The parts of a built provider set the router needs (providers/registry.ts builds it). */
export interface RoutableProviders {
  readonly providers: ReadonlyMap<string, Provider>;
  readonly entries: ReadonlyArray<{ readonly id: string; readonly patterns: readonly string[] }>;
  readonly skipped: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
}

/**
 * The router for a config: user aliases, then `routing.patterns` in order, then each provider's
 * own `patterns`, then the built-in prefixes.
 */
export function createRouter(
  config: NodexConfig,
  built: RoutableProviders,
  discovered?: (model: string) => string | undefined,
): Router {
  const rules: RouteRule[] = [
    ...config.routing.patterns.map((rule) => ({ ...rule, source: 'routing.patterns' as const })),
    ...built.entries.flatMap((entry) =>
      entry.patterns.map((pattern) => ({ pattern, provider: entry.id, source: 'provider' as const })),
    ),
  ];
  return new Router({
    providers: built.providers,
    unavailable: new Map(built.skipped.map((skip) => [skip.id, skip.reason])),
    aliases: config.routing.aliases,
    rules,
    ...(discovered ? { discovered } : {}),
  });
}
