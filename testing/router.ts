/**
 * A simulator's route table: method and path (a string, or a pattern whose groups are the
 * path's parameters) to a handler, behind one authorization hook, with the vendor's own
 * answers for an unknown path and for a known path asked with the wrong method.
 */
import type { SimRequest, SimResponse } from './server.js';

/** One route. */
export interface SimRoute {
  /** The HTTP method. */
  readonly method: string;
  /** The path, exactly, or a pattern (anchored) whose groups are handed to `run`. */
  readonly path: string | RegExp;
  /** Skips the authorization hook (a login). */
  readonly open?: boolean;
  /** Answers the request. */
  run(request: SimRequest, params: readonly string[]): SimResponse;
}

/** How a route table answers what no route takes. */
export interface RouterOptions {
  /** Runs before every route that is not `open`: an answer refuses the request (401, 429). */
  readonly authorize?: (request: SimRequest) => SimResponse | undefined;
  /** The answer for a path no route has. */
  readonly notFound: (request: SimRequest) => SimResponse;
  /** The answer for a path some route has, asked with another method (`notFound` when absent). */
  readonly wrongMethod?: (request: SimRequest) => SimResponse;
}

/** Builds the function that answers a simulator's requests from its routes. */
export function routeTable(routes: readonly SimRoute[], options: RouterOptions): (request: SimRequest) => SimResponse {
  const match = (route: SimRoute, path: string): readonly string[] | undefined => {
    if (typeof route.path === 'string') return route.path === path ? [] : undefined;
    const found = route.path.exec(path);
    return found ? found.slice(1) : undefined;
  };
  return (request) => {
    let pathKnown = false;
    for (const route of routes) {
      const params = match(route, request.path);
      if (!params) continue;
      if (route.method !== request.method) {
        pathKnown = true;
        continue;
      }
      if (!route.open) {
        const refused = options.authorize?.(request);
        if (refused) return refused;
      }
      return route.run(request, params);
    }
    const refused = options.authorize?.(request);
    if (refused) return refused;
    return pathKnown && options.wrongMethod ? options.wrongMethod(request) : options.notFound(request);
  };
}
