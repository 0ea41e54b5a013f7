// Express: the notification's bytes as they arrived. Body parsers run app-wide before any route, so at
// startup those of the body-parser family are made to pass over the notification route, whose unread stream
// core's receiver.handle then reads itself.
/** The parsers of `body-parser` / `express.json()` and friends, by the names Nest itself looks for. */
const EXPRESS_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'textParser', 'rawParser']);
const BYPASSED = Symbol.for('diamondpay.nestjs.bypassed');

interface ExpressLayer {
  handle: ((req: any, res: any, next: (error?: unknown) => void) => unknown) & { [BYPASSED]?: true };
  route?: { path?: unknown; methods?: Record<string, boolean> } | undefined;
}

/**
 * Express: body parsers run app-wide before any route, so those of the body-parser family (Nest's own
 * included) are made to pass over POST requests to the route; the route then reads the unread stream itself.
 * The route's full path (global prefix, version) is taken from Express's router once Nest registered it.
 * Returns the paths bypassed (none when the route or the parsers are not found: `rawBody` then applies).
 */
export function bypassExpressParsers(app: any, routePath: string): string[] {
  const stack: ExpressLayer[] | undefined = (app?.router ?? app?._router)?.stack;
  if (!Array.isArray(stack)) return [];
  const suffix = `/${trimSlashes(routePath)}`.toLowerCase();
  const paths = new Set<string>();
  for (const layer of stack) {
    const path = layer.route?.path;
    // `@All()` routes are Express `all` routes (`methods._all`); a POST-only route has `methods.post`.
    const methods = layer.route?.methods;
    if (typeof path !== 'string' || !(methods?.post || methods?._all)) continue;
    const normal = `/${trimSlashes(path)}`.toLowerCase();
    if (normal === suffix || normal.endsWith(suffix)) paths.add(normal);
  }
  if (paths.size === 0) return [];
  // Express matches paths case-insensitively and with or without a trailing slash, by default.
  const isNotification = (req: any) =>
    req.method === 'POST' &&
    typeof req.path === 'string' &&
    paths.has(`/${trimSlashes(req.path)}`.toLowerCase());
  for (const layer of stack) {
    const parser = layer.handle;
    if (layer.route || !EXPRESS_PARSERS.has(parser?.name) || parser[BYPASSED]) continue;
    const bypass = (req: any, res: any, next: (error?: unknown) => void) =>
      isNotification(req) ? next() : parser(req, res, next);
    Object.defineProperty(bypass, 'name', { value: parser.name });
    layer.handle = Object.assign(bypass, { [BYPASSED]: true as const });
  }
  return [...paths];
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
