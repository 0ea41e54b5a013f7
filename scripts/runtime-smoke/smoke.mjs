// The runtime smoke suite: the same checks on every runtime (Node 20/22/24, Bun, Deno) against the BUILT
// packages. `run()` gets the modules and data from the generated entry (scripts/runtime-smoke.mjs), so this
// file has no bare import and runs unchanged everywhere. The signer here is Web Crypto written from the
// protocol text, independent of core's signing code.

const encoder = new TextEncoder();

async function hmacHex(key, text) {
  const k = await crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, encoder.encode(text)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

function canonical(params) {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '' && params[k] != null)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

async function signedDeposit(key, overrides = {}) {
  const now = Math.floor(Date.now() / 1000);
  const params = {
    payment_id: 'PMSMOKE0001',
    payment_cl_id: 'smoke-order-1',
    platform_id: 'PF0002',
    amount: 50000000,
    real_amount: 50000000,
    fee: 400000,
    status: 2,
    create_time: now - 60,
    update_time: now,
    ...overrides,
  };
  return JSON.stringify({ ...params, sign_type: 'HMAC-SHA256', sign: await hmacHex(key, canonical(params)) });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs every check; returns their names. Throws on the first failure. */
export async function run({ dp, Hono, vectors }) {
  const passed = [];
  const key = vectors.platform_key;
  const ACK = '{"error_code":"0000"}';

  for (const v of vectors.vectors) {
    const hmac = await dp.sign(v.params, key, 'HMAC-SHA256');
    check(hmac === v.hmac_sha256, `sign HMAC-SHA256 ${v.name}: ${hmac} != ${v.hmac_sha256}`);
    const md5 = await dp.sign(v.params, key, 'MD5');
    check(md5 === v.md5, `sign MD5 ${v.name}: ${md5} != ${v.md5}`);
    check(
      (await dp.verify({ ...v.params, sign_type: 'HMAC-SHA256', sign: v.hmac_sha256 }, key)) === true,
      `verify ${v.name}`,
    );
    const { sign_type: _hmac, ...md5Params } = v.params;
    check((await dp.verify({ ...md5Params, sign: v.md5 }, key)) === true, `verify MD5 ${v.name}`);
  }
  passed.push(`sign and verify ${vectors.vectors.length} published vectors (HMAC-SHA256, MD5)`);

  const body = await signedDeposit(key);
  const notification = await dp.verifyNotification(body, { platformId: 'PF0002', platformKey: key });
  check(notification.payment_id === 'PMSMOKE0001' && notification.outcome === 'paid', 'verifyNotification');
  let refused = false;
  try {
    await dp.verifyNotification(body.replace('"real_amount":50000000', '"real_amount":50000001'), {
      platformId: 'PF0002',
      platformKey: key,
    });
  } catch (error) {
    refused = error instanceof dp.DiamondPaySignatureError;
  }
  check(refused, 'a tampered notification is refused with DiamondPaySignatureError');
  passed.push('verifyNotification accepts a signed body and refuses a tampered one');

  const runs = [];
  const receiver = dp.createNotificationReceiver({
    platformId: 'PF0002',
    platformKey: key,
    onDeposit: (n) => {
      runs.push(n.payment_id);
    },
  });
  // Through core's adapter door, with a Web stream body as fetch-style runtimes hold it.
  const delivery = () => ({
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json' }),
    body: new Response(body).body,
  });
  const first = await receiver.handle(delivery(), undefined);
  const again = await receiver.handle(delivery(), undefined);
  check(first.status === 200 && first.body === ACK, `receiver: ${first.status} ${first.body}`);
  check(again.status === 200 && again.outcome === 'duplicate', `receiver duplicate: ${again.outcome}`);
  check(runs.length === 1, `receiver ran the handler ${runs.length} times`);
  const get = await receiver.handle({ method: 'GET', headers: new Headers(), body: null }, undefined);
  check(get.status === 405 && get.headers.allow === 'POST', `receiver GET: ${get.status}`);
  passed.push('receiver.handle round trip: processed once, the copy a duplicate, a GET 405');

  const handled = [];
  const app = new Hono();
  app.all(
    '/diamondpay/notifications/deposit',
    dp.depositNotifications({
      platformId: 'PF0002',
      platformKey: key,
      onDeposit: (n) => {
        handled.push(n.payment_cl_id);
      },
    }),
  );
  const post = (text) =>
    app.request('/diamondpay/notifications/deposit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
  const ok = await post(
    await signedDeposit(key, { payment_id: 'PMSMOKE0002', payment_cl_id: 'smoke-order-2' }),
  );
  check(ok.status === 200 && (await ok.text()) === ACK, `hono: ${ok.status}`);
  const bad = await post(await signedDeposit(`${key}x`, { payment_id: 'PMSMOKE0003' }));
  check(bad.status === 401, `hono bad signature: ${bad.status}`);
  const honoGet = await app.request('/diamondpay/notifications/deposit');
  check(honoGet.status === 405 && honoGet.headers.get('allow') === 'POST', `hono GET: ${honoGet.status}`);
  check(handled.length === 1 && handled[0] === 'smoke-order-2', `hono handler ran ${handled.length} times`);
  passed.push('a Hono app answers a signed notification (200 ack), a bad signature (401), a GET (405)');

  return passed;
}
