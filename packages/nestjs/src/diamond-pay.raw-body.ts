// Getting the notification's bytes exactly as they arrived, on Express and Fastify, with or without
// `rawBody: true`: the framework's body parsing is kept off the notification route, whose unread
// stream core's receiver.handle reads itself, so every answer comes from the receiver. A
// re-serialised body is never verified.
import { Readable } from 'node:stream';

/** Where `@RouteConfig()` of @nestjs/platform-fastify keeps a handler's Fastify route config. */
export const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';
/** Key in that route config marking the notification route for the payload hook. */
const NOTIFICATION_ROUTE = 'diamondPayNotificationRoute';
/** Fastify route config of the notification route. */
export const NOTIFICATION_ROUTE_CONFIG = Object.freeze({ [NOTIFICATION_ROUTE]: true });

const PAYLOAD = Symbol('diamondpay.payload');
const HOOKED = Symbol.for('diamondpay.nestjs.preParsing');
const EMPTY_OBJECT = Buffer.from('{}');

type PreParsingHook = (
  request: any,
  reply: unknown,
  payload: Readable,
  done: (error: Error | null, payload?: Readable) => void,
) => void;

interface FastifyLike {
  addHook(name: 'preParsing', hook: PreParsingHook): unknown;
  [HOOKED]?: boolean;
}

/**
 * Fastify: on the notification route only, keeps the payload stream unread for the route to read itself and
 * hands Fastify's content-type parser an empty JSON object in its place, so every answer (malformed JSON,
 * too large) comes from the receiver. Works whether or not the app was created with `rawBody: true`.
 */
export function installFastifyPayloadHook(fastify: FastifyLike): void {
  if (fastify[HOOKED]) return;
  fastify[HOOKED] = true;
  // A callback hook (not async): it runs for every route of the app, and costs one property check elsewhere.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    // routeOptions.config: Fastify ≥ 4.16 (Nest 10 ships Fastify 4); routeConfig before that.
    const config = request.routeOptions?.config ?? request.routeConfig;
    if (config?.[NOTIFICATION_ROUTE] !== true) return done(null, payload);
    request[PAYLOAD] = payload;
    const standIn = new Readable({ read() {} }) as Readable & { receivedEncodedLength?: number };
    standIn.push(EMPTY_OBJECT);
    standIn.push(null);
    // Fastify compares this with Content-Length (as it does for a decompressing stream).
    const declared = Number(request.headers['content-length']);
    if (Number.isSafeInteger(declared) && declared > 0) standIn.receivedEncodedLength = declared;
    done(null, standIn);
  });
}

/** The parsers of `body-parser` / `express.json()` and friends, by the names Nest itself looks for. */
const EXPRESS_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'textParser', 'rawParser']);
const BYPASSED = Symbol.for('diamondpay.nestjs.bypassed');

interface ExpressLayer {
  handle: ((req: any, res: any, next: (error?: unknown) => void) => unknown) & { [BYPASSED]?: true };
  route?: { path?: unknown; methods?: Record<string, boolean> };
}

/**
 * Express: body parsers run app-wide before any route, so those of the body-parser family (Nest's own
 * included) are made to pass over `POST <route path>`; the route then reads the unread stream itself.
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
    if (typeof path !== 'string' || !layer.route?.methods?.post) continue;
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

/**
 * Where the notification request's raw body is, for core's `receiver.handle` to read: the payload kept
 * by the Fastify hook, `req.rawBody` (`rawBody: true`), or the request stream when nothing has read it
 * (e.g. `bodyParser: false`). `undefined` when a body parser consumed it without keeping the bytes.
 */
export function findRawBody(request: any): Readable | Uint8Array | string | undefined {
  const kept = request?.[PAYLOAD];
  if (kept) return kept as Readable;
  const raw = request?.rawBody;
  if (raw instanceof Uint8Array || typeof raw === 'string') return raw;
  if (isUnreadStream(request)) return request;
  return undefined;
}

function isUnreadStream(value: any): value is Readable {
  return (
    value instanceof Readable && !value.readableEnded && !value.destroyed && (value as any)._body !== true
  );
}
