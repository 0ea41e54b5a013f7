// A scripted gateway on a real loopback socket, for client tests. Each test decides per request
// what the "gateway" does: answer, fail, reset the connection, or hang.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Script = (req: SeenRequest, res: ServerResponse, gw: FakeGateway) => void | Promise<void>;

export interface FakeGateway {
  url: string;
  requests: SeenRequest[];
  /** Orders the fake has "created", by payment_cl_id. */
  orders: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export async function startFakeGateway(script: Script, port = 0): Promise<FakeGateway> {
  const sockets = new Set<import('node:net').Socket>();
  const gw = {
    requests: [] as SeenRequest[],
    orders: new Map<string, Record<string, unknown>>(),
  } as FakeGateway;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const seen = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    gw.requests.push(seen);
    await script(seen, res, gw);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  gw.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gw.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return gw;
}

/** A port that was free a moment ago and has nothing listening now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
