// Fastify: the notification's bytes as they arrived. A `preParsing` hook, acting on the notification route
// only, keeps the payload stream unread for core's receiver.handle and gives Fastify's content-type parser
// `{}` in its place, so every answer (malformed JSON, too large) comes from the receiver, with or without
// `rawBody: true`.
import { Readable } from 'node:stream';

/** Where the hook keeps the unread payload stream on the request (read by `findRawBody`). */
export const PAYLOAD: unique symbol = Symbol('diamondpay.payload');
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
  /** The notification routes' paths (suffixes, lowercase), shared by every module on this instance. */
  [HOOKED]?: Set<string> | undefined;
}

/**
 * Fastify: on the notification route only (`POST` to a route whose registered URL ends with `routePath`,
 * so a global prefix or a version are allowed), keeps the payload stream unread for the route to read itself
 * and hands Fastify's content-type parser an empty JSON object in its place, so every answer (malformed JSON,
 * too large) comes from the receiver. Works whether or not the app was created with `rawBody: true`. The
 * route is found by its URL because it is an `all` route, which gets no Fastify route config from Nest.
 */
export function installFastifyPayloadHook(fastify: FastifyLike, routePath: string): void {
  const suffix = `/${trimSlashes(routePath)}`.toLowerCase();
  if (fastify[HOOKED]) {
    fastify[HOOKED].add(suffix);
    return;
  }
  const suffixes = new Set([suffix]);
  fastify[HOOKED] = suffixes;
  // A callback hook (not async): it runs for every route of the app, and costs a string check elsewhere.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    // routeOptions.url: Fastify ≥ 4.16 (Nest 10 ships Fastify 4); routerPath before that.
    const url = request.routeOptions?.url ?? request.routerPath;
    if (request.method !== 'POST' || typeof url !== 'string' || !isNotificationUrl(url, suffixes)) {
      return done(null, payload);
    }
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

function isNotificationUrl(url: string, suffixes: Set<string>): boolean {
  const normal = `/${trimSlashes(url)}`.toLowerCase();
  for (const suffix of suffixes) if (normal === suffix || normal.endsWith(suffix)) return true;
  return false;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
