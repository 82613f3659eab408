import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import type { Logger } from "probot";

/**
 * One Redis connection for every clustered Bottleneck limiter of the process (write lanes, the
 * serializer), from the full REDIS_URL (TLS, user, password, database), with errors logged.
 */
export function bottleneckConnection(redisUrl: string, log: Logger): Bottleneck.IORedisConnection {
  const connection = new Bottleneck.IORedisConnection({ client: new Redis(redisUrl, { maxRetriesPerRequest: null }) });
  connection.on("error", (error: unknown) => log.warn({ err: error }, "redis connection error (clustered limiters)"));
  return connection;
}
