import { NodexError } from '../core/errors.js';
import type { ModelDirectory } from './model-directory.js';
import type { Route, Router } from './router.js';

/**
 * Routes a model; when no rule claims it and discovery has not run yet, lists the providers'
 * models once and tries again, so a custom host's models route without a pattern.
 */
export async function routeWithDiscovery(
  router: Router,
  directory: ModelDirectory,
  model: string,
): Promise<Route> {
  try {
    return router.route(model);
  } catch (error) {
    if (!NodexError.isInstance(error) || error.code !== 'model_not_found' || directory.loaded) throw error;
    await directory.list();
    return router.route(model);
  }
}
