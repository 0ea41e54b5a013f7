// Shared by the package's tests (not part of the build): a loopback Koa server and notifications
// signed with the gateway docs' published test merchant.
import type { AddressInfo } from 'node:net';
import { ACK_BODY } from '@diamondpay/core';
import { independentSign } from '@diamondpay-internal/test-signer';
import type Koa from 'koa';

/** The docs' published test merchant. */
export const TEST_MERCHANT = { platformId: 'PF0002', platformKey: 'ThisIsYourSecretKey123' } as const;
/** The one reply the gateway accepts as delivered (protocol reference §3.3). */
export const ACK = ACK_BODY;

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, on a free port. */
export function listen(app: Koa<any, any>): Promise<Running> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

let counter = 0;

/** A deposit notification body as the gateway sends it, signed HMAC-SHA256 with `key`. */
export async function signedNotification(
  fields: Record<string, string | number> = {},
  key: string = TEST_MERCHANT.platformKey,
): Promise<{ body: string; fields: Record<string, string | number> }> {
  const now = Math.floor(Date.now() / 1000);
  counter++;
  const params: Record<string, string | number> = {
    payment_id: `PM${String(counter).padStart(8, '0')}`,
    payment_cl_id: `ORDER-${process.pid}-${counter}`,
    platform_id: TEST_MERCHANT.platformId,
    amount: 8_900_000,
    real_amount: 8_900_000,
    fee: 71_200,
    status: 2,
    create_time: now - 60,
    update_time: now,
    sign_type: 'HMAC-SHA256',
    ...fields,
  };
  const all = { ...params, sign: independentSign(params, key) };
  return { body: JSON.stringify(all), fields: all };
}

/** POSTs a JSON body and returns status, headers and text. */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
