// A NotificationStore on Redis: each step is one atomic Lua script, so two instances can never both
// claim a notification, and a late release never deletes another instance's claim.
import type { ClaimResult, NotificationStore } from '@diamondpay/core';

/** The one Redis call this store needs: EVAL. Adapters for node-redis and ioredis are built in. */
export interface RedisEval {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/** A node-redis (v4+) client: anything with `sendCommand(args: string[])`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client: anything with `call(command, ...args)`. */
export interface IORedisLike {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

export interface RedisNotificationStoreOptions {
  /** A connected node-redis or ioredis client (or any `RedisEval`). */
  client: NodeRedisLike | IORedisLike | RedisEval;
  /** Key prefix. Default `diamondpay:notification:`. */
  prefix?: string;
}

// KEYS[1] = record; ARGV[1] = token, ARGV[2] = lease ms
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'claim:' .. ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if string.sub(v, 1, 5) == 'done:' then return 'done' end
return 'processing'`;

// KEYS[1] = record; ARGV[1] = token, ARGV[2] = retention ms
const COMPLETE = `
redis.call('SET', KEYS[1], 'done:' .. ARGV[1], 'PX', ARGV[2])
return 1`;

// Compare-and-delete: only the claimer's own claim is released.
const RELEASE = `
if redis.call('GET', KEYS[1]) == 'claim:' .. ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

function toEval(client: RedisNotificationStoreOptions['client']): RedisEval {
  // ioredis first: it also has a sendCommand, with another signature.
  if ('call' in client && typeof client.call === 'function') {
    return { eval: (script, keys, args) => client.call('EVAL', script, keys.length, ...keys, ...args) };
  }
  if ('sendCommand' in client && typeof client.sendCommand === 'function') {
    return {
      eval: (script, keys, args) =>
        client.sendCommand(['EVAL', script, String(keys.length), ...keys, ...args]),
    };
  }
  if ('eval' in client && typeof client.eval === 'function') return client as RedisEval;
  throw new TypeError(
    'RedisNotificationStore: pass a node-redis client, an ioredis client, or an object with eval(script, keys, args)',
  );
}

/** Duplicate tracking shared by every instance connected to the same Redis. */
export class RedisNotificationStore implements NotificationStore {
  private readonly redis: RedisEval;
  private readonly prefix: string;

  constructor(options: RedisNotificationStoreOptions) {
    this.redis = toEval(options.client);
    this.prefix = options.prefix ?? 'diamondpay:notification:';
  }

  async claim(key: string, token: string, leaseMs: number): Promise<ClaimResult> {
    const result = String(
      await this.redis.eval(CLAIM, [this.prefix + key], [token, String(Math.ceil(leaseMs))]),
    );
    if (result === 'claimed' || result === 'done' || result === 'processing') return result;
    throw new Error(`RedisNotificationStore: unexpected claim answer ${JSON.stringify(result)}`);
  }

  async complete(key: string, token: string, retentionMs: number): Promise<void> {
    await this.redis.eval(COMPLETE, [this.prefix + key], [token, String(Math.ceil(retentionMs))]);
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, [this.prefix + key], [token]);
  }
}
