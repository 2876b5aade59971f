import { NodexError } from '../core/errors.js';
import type { Route } from '../routing/router.js';
import type { AppContext } from './app-context.js';

/**
 * Routes a model; when no rule claims it, lists the providers' models once (discovery) and tries
 * again, so a custom host's models route without a pattern.
 */
export async function routeModel(app: AppContext, model: string): Promise<Route> {
  try {
    return app.router.route(model);
  } catch (error) {
    if (!NodexError.isInstance(error) || error.code !== 'model_not_found' || app.directory.loaded)
      throw error;
    await app.directory.list();
    return app.router.route(model);
  }
}
