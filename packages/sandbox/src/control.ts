// The JSON control API under /_sandbox: drive orders, payouts and faults over HTTP (no auth: a loopback
// test tool). Each route maps onto one method of the programmatic Sandbox API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalid, SandboxError } from './errors.js';
import { validateDeliveryFaults } from './faults.js';
import { readBody, segmentsAfter, sendJson } from './http-util.js';
import type { Sandbox } from './server.js';

function json(res: ServerResponse, status: number, value: unknown): void {
  sendJson(res, status, JSON.stringify(value));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req, 64 * 1024);
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('the body must be a JSON object');
  return value as Record<string, unknown>;
}

function only(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body))
    if (!allowed.includes(key))
      throw invalid(`unknown field ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${key} must be a string`);
  return v;
}

function optionalInteger(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(`${key} must be an integer`);
  return v;
}

/** Serves every /_sandbox/... route. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
  sandbox: Sandbox,
): Promise<void> {
  const method = req.method ?? 'GET';
  const segments = segmentsAfter(path, '/_sandbox/');
  const params = new URLSearchParams(query);
  try {
    if (!segments) throw invalid('malformed path');
    const [head, id, action, ...rest] = segments;
    const route = `${method} ${head}${id === undefined ? '' : '/:id'}${action === undefined ? '' : `/${action}`}`;
    if (rest.length > 0) return json(res, 404, { error: 'not_found', message: `no control route ${path}` });
    switch (route) {
      case 'GET health':
        return json(res, 200, {
          ok: true,
          url: sandbox.url,
          merchants: sandbox.merchants.map((m) => m.platformId),
        });
      case 'GET orders':
        return json(res, 200, sandbox.orders());
      case 'GET orders/:id': {
        const order = sandbox.order(id!, params.get('platform_id') ?? undefined);
        if (!order)
          throw new SandboxError('order_not_found', `No order with payment_cl_id ${JSON.stringify(id)}.`);
        return json(res, 200, order);
      }
      case 'POST orders/:id/pay': {
        const body = await readJson(req);
        only(body, ['real_amount', 'platform_id', 'delivery']);
        const order = await sandbox.pay(id!, {
          realAmount: optionalInteger(body, 'real_amount'),
          platformId: optionalString(body, 'platform_id'),
          delivery: validateDeliveryFaults(body.delivery),
        });
        return json(res, 200, order);
      }
      case 'POST orders/:id/cancel': {
        const body = await readJson(req);
        only(body, ['status', 'platform_id', 'delivery']);
        const status = optionalInteger(body, 'status');
        if (status !== undefined && status !== 3 && status !== 4 && status !== 5)
          throw invalid('status must be 3, 4 or 5');
        const order = await sandbox.cancel(id!, {
          status,
          platformId: optionalString(body, 'platform_id'),
          delivery: validateDeliveryFaults(body.delivery),
        });
        return json(res, 200, order);
      }
      case 'GET payouts':
        return json(res, 200, sandbox.payouts());
      case 'GET payouts/:id': {
        const payout = sandbox.payout(id!, params.get('platform_id') ?? undefined);
        if (!payout)
          throw new SandboxError('payout_not_found', `No payout with payout_cl_id ${JSON.stringify(id)}.`);
        return json(res, 200, payout);
      }
      case 'POST payouts/:id/complete': {
        const body = await readJson(req);
        only(body, ['platform_id', 'delivery']);
        const payout = await sandbox.completePayout(id!, {
          platformId: optionalString(body, 'platform_id'),
          delivery: validateDeliveryFaults(body.delivery),
        });
        return json(res, 200, payout);
      }
      case 'POST payouts/:id/fail': {
        const body = await readJson(req);
        only(body, ['status', 'error_msg', 'platform_id', 'delivery']);
        const status = optionalInteger(body, 'status');
        if (status !== undefined && status !== 4 && status !== 5)
          throw invalid('status must be 4 (cancelled) or 5 (failed)');
        const payout = await sandbox.failPayout(id!, {
          status,
          errorMsg: optionalString(body, 'error_msg'),
          platformId: optionalString(body, 'platform_id'),
          delivery: validateDeliveryFaults(body.delivery),
        });
        return json(res, 200, payout);
      }
      case 'GET payout-deliveries':
        return json(
          res,
          200,
          sandbox.payoutDeliveries({ payoutClId: params.get('payout_cl_id') ?? undefined }),
        );
      case 'GET balance': {
        const platformId = params.get('platform_id') ?? undefined;
        if (platformId !== undefined && !sandbox.merchants.some((m) => m.platformId === platformId))
          throw invalid(`unknown platform_id ${platformId}`);
        return json(res, 200, sandbox.balance(platformId));
      }
      case 'GET deliveries':
        return json(res, 200, sandbox.deliveries({ paymentClId: params.get('payment_cl_id') ?? undefined }));
      case 'GET faults':
        return json(res, 200, sandbox.faults());
      case 'PUT faults': {
        const body = await readJson(req);
        sandbox.setFaults(body);
        return json(res, 200, sandbox.faults());
      }
      case 'POST faults/:id': {
        // POST /_sandbox/faults/inject {"endpoint", "fault", "times"?}
        if (id !== 'inject') break;
        const body = await readJson(req);
        only(body, ['endpoint', 'fault', 'times']);
        sandbox.injectFault(body.endpoint as never, body.fault as never, optionalInteger(body, 'times'));
        return json(res, 200, { ok: true });
      }
      case 'GET stats':
        return json(res, 200, sandbox.stats());
    }
    return json(res, 404, { error: 'not_found', message: `no control route ${method} ${path}` });
  } catch (error) {
    if (error instanceof SandboxError) return json(res, error.httpStatus, error);
    throw error;
  }
}
