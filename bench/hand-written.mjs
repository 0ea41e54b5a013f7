// The baseline every notification figure is measured against: what a merchant would write by hand
// instead of this SDK. JSON.parse, sort the keys, createHmac over `k=v&…`, compare, de-duplicate in
// a Map, reply. No field checks, no wire-text numbers, no in-flight merging, no claims.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ACK = '{"error_code":"0000"}';
export const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const BAD = '{"error_code":"9999","error_msg":"bad signature"}';

/** A hand-written verifier + Map de-duplication: `(text) => { status, body }`; `seen` is exposed for memory figures. */
export function handWrittenReceiver(key, onDeposit = () => {}) {
  const seen = new Map();
  const receive = (text) => {
    let obj;
    try {
      obj = JSON.parse(text);
    } catch {
      return { status: 400, body: BAD };
    }
    const canonical = Object.keys(obj)
      .filter((k) => k !== 'sign' && k !== 'sign_type' && obj[k] !== '' && obj[k] !== null)
      .sort()
      .map((k) => `${k}=${obj[k]}`)
      .join('&');
    const expected = createHmac('sha256', key).update(canonical).digest();
    const given = Buffer.from(String(obj.sign), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { status: 401, body: BAD };
    const dedupe = `${obj.payment_id}:${obj.status}`;
    if (!seen.has(dedupe)) {
      onDeposit(obj);
      seen.set(dedupe, Date.now());
    }
    return { status: 200, body: ACK };
  };
  return { receive, seen };
}
