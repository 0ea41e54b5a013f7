// sign() and parseDeposit() against hand-written node:crypto equivalents, measured in one run.
// Imports the BUILT package through its `node` export condition, as a Node app would.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createNotificationReceiver, DiamondPay, sign } from '@diamondpay/core';
import { handWrittenReceiver } from '../../../bench/hand-written.mjs';
import { type BenchResult, compareOps, depositNotifications } from '../../../bench/lib.js';

const KEY = 'ThisIsYourSecretKey123';
const params = {
  platform_id: 'PF0002',
  service_id: 'SVC0015',
  payment_cl_id: 'DEVPM00014581',
  amount: 50000000,
  notify_url: 'https://shop.example.com/diamondpay/notifications/deposit',
  request_time: 1595504136,
};
const canonical = Object.keys(params)
  .sort()
  .map((k) => `${k}=${params[k as keyof typeof params]}`)
  .join('&');

// A deposit notification as the gateway sends it, signed independently of the SDK.
const rawBody = depositNotifications(1)[0]!;

// The CPU attack of issue #10 (defect 1): an unsigned 64 KiB body of 6,400 keys in descending order
// (an insertion sort before the signature check took ~200 ms per such body). Keys short, so it fits.
const hostileParts: string[] = [];
for (let i = 6400; i > 0; i--) hostileParts.push(`"k${String(i).padStart(4, '0')}":1`);
const hostileBody = `{${hostileParts.join(',')},"sign":"${'0'.repeat(64)}","sign_type":"HMAC-SHA256"}`;

// The baseline a careful developer would hand-write: JSON.parse, sort, join, createHmac, compare.
function handWrittenVerify(body: string) {
  const obj = JSON.parse(body) as Record<string, unknown>;
  const text = Object.keys(obj)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && obj[k] !== '' && obj[k] !== null)
    .sort()
    .map((k) => `${k}=${obj[k]}`)
    .join('&');
  const expected = createHmac('sha256', KEY).update(text).digest();
  const given = Buffer.from(String(obj.sign), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
  return obj;
}

export default async function (): Promise<BenchResult[]> {
  const dp = new DiamondPay({ baseUrl: 'https://gw.example', platformId: 'PF0002', platformKey: KEY });
  // Sanity: both sides agree before they are timed.
  if ((await sign(params, KEY)) !== createHmac('sha256', KEY).update(canonical).digest('hex'))
    throw new Error('HMAC mismatch');
  if ((await sign(params, KEY, 'MD5')) !== createHash('md5').update(`${canonical}&${KEY}`).digest('hex'))
    throw new Error('MD5 mismatch');
  if ((await dp.notifications.parseDeposit(rawBody)).amount !== handWrittenVerify(rawBody).amount)
    throw new Error('parse mismatch');

  const hmac = await compareOps(
    () => sign(params, KEY, 'HMAC-SHA256'),
    () => createHmac('sha256', KEY).update(canonical).digest('hex'),
  );
  const md5 = await compareOps(
    () => sign(params, KEY, 'MD5'),
    () => createHash('md5').update(`${canonical}&${KEY}`).digest('hex'),
  );
  const receiver = createNotificationReceiver({
    platformId: 'PF0002',
    platformKey: KEY,
    onDeposit: () => {},
  });
  if ((await receiver.receive(hostileBody, undefined)).status !== 400)
    throw new Error('hostile body not refused');
  const hostile = await compareOps(
    () => receiver.receive(hostileBody, undefined),
    () => JSON.parse(hostileBody),
  );
  const parse = await compareOps(
    () => dp.notifications.parseDeposit(rawBody),
    () => handWrittenVerify(rawBody),
  );
  // receive(): distinct notifications, each a first delivery (verify, claim, handler, complete, ack),
  // against the hand-written verifier + Map; each side draws from its own pool of distinct bodies.
  const distinct = depositNotifications(400_000);
  const ourReceiver = createNotificationReceiver({
    platformId: 'PF0002',
    platformKey: KEY,
    onDeposit: () => {},
  });
  const hand = handWrittenReceiver(KEY);
  let a = 0;
  let b = distinct.length / 2;
  const receive = await compareOps(
    () => ourReceiver.receive(distinct[a++ % distinct.length]!, undefined),
    () => hand.receive(distinct[b++ % distinct.length]!),
  );
  return [
    {
      figure: 'receiver.receive() in process, distinct signed notifications',
      ...receive,
      baselineName: 'hand-written JSON.parse + sort + createHmac + Map verifier',
      unit: 'ops/s',
      target: 1.0,
    },
    {
      figure: 'sign HMAC-SHA256 (params → hex)',
      ...hmac,
      baselineName: 'raw createHmac on the canonical string',
      unit: 'ops/s',
      target: 0.9,
    },
    {
      figure: 'sign MD5 (params → hex)',
      ...md5,
      baselineName: 'raw createHash md5 on the canonical string',
      unit: 'ops/s',
      target: 0.9,
    },
    {
      figure: 'parseDeposit (raw body → verified, typed)',
      ...parse,
      baselineName: 'JSON.parse + sort + createHmac verifier',
      unit: 'ops/s',
      target: 0.5,
    },
    {
      figure: 'refuse a hostile body (64 KiB, 6,400 keys descending, unsigned)',
      ...hostile,
      baselineName: 'JSON.parse of the same body',
      unit: 'ops/s',
      // Refusing costs at most 3× JSON.parse (ratio ≥ 1/3).
      target: 0.34,
    },
  ];
}
