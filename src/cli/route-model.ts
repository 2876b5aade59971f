import { routeWithDiscovery } from '../routing/route-with-discovery.js';
import type { Route } from '../routing/router.js';
import type { AppContext } from './app-context.js';

/** Routes a model for a CLI command (discovery once when no rule claims it). */
export function routeModel(app: AppContext, model: string): Promise<Route> {
  return routeWithDiscovery(app.router, app.directory, model);
}
