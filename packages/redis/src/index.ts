export {
  type IORedisLike,
  type NodeRedisLike,
  type RedisEval,
  RedisNotificationStore,
  type RedisNotificationStoreOptions,
} from './redis-store.js';
