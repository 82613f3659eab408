import { after, before } from "node:test";
import { Redis } from "ioredis";
import { startLocalRedis } from "./local-redis.js";

export interface SuiteRedis {
  /** A client to it, shared by the suite's tests. */
  readonly client: Redis;
  /** redis://127.0.0.1:port, for a client of a test's own. */
  readonly url: string;
}

/**
 * A real redis-server and a client to it for the enclosing `describe`: started before its tests,
 * stopped after them (read `client` and `url` in the tests, not while the suite is declared).
 */
export function suiteRedis(): SuiteRedis {
  let server: Awaited<ReturnType<typeof startLocalRedis>>;
  let client: Redis;
  before(async () => {
    server = await startLocalRedis();
    client = new Redis(server.url);
  });
  after(async () => {
    client.disconnect();
    await server.stop();
  });
  return {
    get client() {
      return client;
    },
    get url() {
      return server.url;
    },
  };
}
