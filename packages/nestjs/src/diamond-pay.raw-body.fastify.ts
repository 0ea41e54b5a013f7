// Fastify: the notification's bytes as they arrived. A `preParsing` hook, acting on the notification route
// only, keeps the payload stream unread for core's receiver.handle, so every answer (malformed JSON, too
// large) comes from the receiver, with or without `rawBody: true`; and Fastify's body parsing is skipped
// there altogether, which is most of what a POST costs Fastify (on Node 20 its parser's AsyncResource.bind
// alone builds a deprecation wrapper per request).
import { Readable } from 'node:stream';

/** Where the hook keeps the unread payload stream on the request (read by `findRawBody`). */
export const PAYLOAD: unique symbol = Symbol('diamondpay.payload');
/** The body headers set aside between `preParsing` and `preValidation` (see below). */
const SET_ASIDE = Symbol('diamondpay.bodyHeaders');
const HOOKED = Symbol.for('diamondpay.nestjs.preParsing');
const EMPTY_OBJECT = Buffer.from('{}');
// The headers Fastify reads to decide whether a request has a body to parse.
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding'] as const;
/** Route URLs remembered by the hook; an app has fewer routes, so the bound only matters if something goes wrong. */
const MAX_KNOWN_URLS = 1024;

type PreParsingHook = (
  request: any,
  reply: unknown,
  payload: Readable,
  done: (error: Error | null, payload?: Readable) => void,
) => void;
type RequestHook = (request: any, reply: unknown, done: () => void) => void;
type ErrorHook = (request: any, reply: unknown, error: unknown, done: () => void) => void;

interface FastifyLike {
  addHook(name: 'preParsing', hook: PreParsingHook): unknown;
  addHook(name: 'preValidation', hook: RequestHook): unknown;
  addHook(name: 'onError', hook: ErrorHook): unknown;
  /** The hook's state, shared by every module on this instance. */
  [HOOKED]?: NotificationUrls | undefined;
}

/** The notification routes' paths (suffixes, lowercase), and each route URL's answer so far. */
interface NotificationUrls {
  suffixes: Set<string>;
  // By registered URL: the hook runs on every request of the app, and a route's URL is one of a few
  // strings, so the normalising (a regex and a lowercased copy) runs once per route, not per request.
  known: Map<string, boolean>;
}

/**
 * Fastify: on the notification route only (`POST` to a route whose registered URL ends with `routePath`,
 * so a global prefix or a version are allowed), keeps the payload stream unread for the route to read
 * itself, so every answer (malformed JSON, too large) comes from the receiver. Works whether or not the
 * app was created with `rawBody: true`. The route is found by its URL because it is an `all` route, which
 * gets no Fastify route config from Nest.
 *
 * Fastify parses a body only when the request has a content type or a length; so from `preParsing` to
 * `preValidation` (Fastify's own decision, nothing else in between but later `preParsing` hooks and
 * `preValidation` hooks added before this one) the notification request's `content-type`,
 * `content-length` and `transfer-encoding` headers are set aside, and put back before anything of Nest's
 * runs (guards, interceptors, the route) or an error is handled. Fastify is also handed an empty JSON
 * object as the payload: should a Fastify version parse anyway, it parses that, never the notification.
 */
export function installFastifyPayloadHook(fastify: FastifyLike, routePath: string): void {
  const suffix = `/${trimSlashes(routePath)}`.toLowerCase();
  const installed = fastify[HOOKED];
  if (installed) {
    installed.suffixes.add(suffix);
    installed.known.clear();
    return;
  }
  const urls: NotificationUrls = { suffixes: new Set([suffix]), known: new Map() };
  fastify[HOOKED] = urls;
  const isNotification = (url: string): boolean => {
    let answer = urls.known.get(url);
    if (answer === undefined) {
      answer = isNotificationUrl(url, urls.suffixes);
      if (urls.known.size >= MAX_KNOWN_URLS) urls.known.clear();
      urls.known.set(url, answer);
    }
    return answer;
  };
  // Callback hooks (not async): they run for every route of the app, and cost a check elsewhere.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    // routeOptions.url: Fastify ≥ 4.16 (Nest 10 ships Fastify 4); routerPath before that.
    const url = request.routeOptions?.url ?? request.routerPath;
    if (request.method !== 'POST' || typeof url !== 'string' || !isNotification(url)) {
      return done(null, payload);
    }
    request[PAYLOAD] = payload;
    const headers = request.headers;
    const setAside: (string | undefined)[] = [];
    for (const name of BODY_HEADERS) {
      setAside.push(headers[name]);
      delete headers[name];
    }
    request[SET_ASIDE] = setAside;
    const standIn = new Readable({ read() {} }) as Readable & { receivedEncodedLength?: number };
    standIn.push(EMPTY_OBJECT);
    standIn.push(null);
    // Should Fastify parse it after all, it compares this with Content-Length (as for a decompressing
    // stream): the notification is then still answered by the receiver, not refused by Fastify.
    const declared = Number(setAside[1]);
    if (Number.isSafeInteger(declared) && declared > 0) standIn.receivedEncodedLength = declared;
    done(null, standIn);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    putBack(request);
    done();
  });
  // A later preParsing hook failed: the error handler and loggers see the request as it came.
  fastify.addHook('onError', (request, _reply, _error, done) => {
    putBack(request);
    done();
  });
}

function putBack(request: any): void {
  const setAside: (string | undefined)[] | undefined = request[SET_ASIDE];
  if (!setAside) return;
  request[SET_ASIDE] = undefined;
  const headers = request.headers;
  BODY_HEADERS.forEach((name, i) => {
    const value = setAside[i];
    if (value !== undefined) headers[name] = value;
  });
}

function isNotificationUrl(url: string, suffixes: Set<string>): boolean {
  const normal = `/${trimSlashes(url)}`.toLowerCase();
  for (const suffix of suffixes) if (normal === suffix || normal.endsWith(suffix)) return true;
  return false;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
