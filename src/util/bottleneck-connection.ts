import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import type { Logger } from "probot";
import { bottleneckRedis7Problem } from "./bottleneck-redis7.js";
import { withDeadline } from "./with-deadline.js";

/** A readiness probe's limit: `/readyz` answers within about a second. */
const PROBE_MS = 500;

type LimiterOptions = Omit<Bottleneck.ConstructorOptions, "datastore" | "connection"> & { id: string };

/**
 * The one Redis connection of the process's clustered Bottleneck limiters (write lanes, the serializer),
 * from the full REDIS_URL (TLS, user, password, database). Limiters are made here so that their errors
 * are logged: a heartbeat Redis refused is only ever told to the limiter's `error` listeners.
 */
export class LimiterConnection {
  private readonly client: Redis;
  private readonly connection: Bottleneck.IORedisConnection;
  /** A limiter of every replica's, used only to see that clustered limiting serves this one. */
  private readonly probe: Bottleneck;
  private probing: Promise<unknown> | undefined;
  private serving: boolean | undefined;

  /** Refuses to start on a Bottleneck that a Redis 7 would wedge (installed without its patch). */
  constructor(
    redisUrl: string,
    private readonly log: Logger,
  ) {
    if (bottleneckRedis7Problem) throw new Error(bottleneckRedis7Problem);
    this.client = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.connection = new Bottleneck.IORedisConnection({ client: this.client });
    this.connection.on("error", (error: unknown) =>
      log.warn({ err: error }, "redis connection error (clustered limiters)"),
    );
    this.probe = this.limiter({ id: "dockhand-ready" });
  }

  /** A limiter shared by every replica that makes one with the same id. */
  limiter(options: LimiterOptions): Bottleneck {
    const limiter = new Bottleneck({ ...options, datastore: "ioredis", connection: this.connection });
    this.watch(limiter, options.id);
    return limiter;
  }

  /** A group of shared limiters, one per key (`<id>-<key>`). */
  group(options: LimiterOptions): Bottleneck.Group {
    const group = new Bottleneck.Group({ ...options, datastore: "ioredis", connection: this.connection });
    group.on("created", (limiter, key) => this.watch(limiter, `${options.id}-${key}`));
    return group;
  }

  /**
   * Whether clustered limiting serves this replica now: Redis is connected and a job passes a shared
   * limiter (Bottleneck's scripts, this replica's registration with its peers). One probe at a time;
   * its result, and each change of it, is logged.
   */
  async ready(): Promise<boolean> {
    if (this.client.status !== "ready") return this.note(false, new Error(`redis connection ${this.client.status}`));
    // Resolves with what failed, or nothing; shared by the checks that come while it runs.
    const probing = (this.probing ??= this.probe
      .schedule(() => Promise.resolve())
      .then(
        () => undefined,
        (error: unknown) => error ?? new Error("the probe failed"),
      )
      .finally(() => (this.probing = undefined)));
    const failure = await withDeadline(
      () => probing,
      PROBE_MS,
      new Error(`a shared limiter did not answer within ${PROBE_MS} ms`),
    );
    return failure === undefined ? this.note(true) : this.note(false, failure);
  }

  disconnect(): Promise<void> {
    return this.connection.disconnect();
  }

  private watch(limiter: Bottleneck, id: string): void {
    limiter.on("error", (error: unknown) => this.log.error({ err: error, limiter: id }, "clustered limiter failed"));
  }

  /** Logs a change: serving (at the start too), and no longer serving (not a start still connecting). */
  private note(serving: boolean, error?: unknown): boolean {
    if (serving === this.serving) return serving;
    if (serving) this.log.info("clustered limiters serve this replica");
    else if (this.serving) this.log.error({ err: error }, "clustered limiters do not serve this replica");
    this.serving = serving;
    return serving;
  }
}

export function bottleneckConnection(redisUrl: string, log: Logger): LimiterConnection {
  return new LimiterConnection(redisUrl, log);
}
