import type { Redis } from "ioredis";
import type { ApplicationFunctionOptions, Context, Logger, Probot, ProbotOctokit } from "probot";
import { CommentStore } from "../comment/comment-store.js";
import { deriveStateKey, StateSeal } from "../comment/seal-state.js";
import type { EventContext } from "../events/event-context.js";
import { EVENT_JOB } from "../events/event-job.js";
import { appIdentity } from "../github/app-identity.js";
import type { Octokit } from "../github/octokit.js";
import { withRequestTimeout } from "../github/request-timeout.js";
import { Metrics } from "../ops/metrics.js";
import { opsHandler } from "../ops/ops-handler.js";
import { BullmqQueue } from "../queue/bullmq-queue.js";
import { Jobs, lanesOf, type LaneOf } from "../queue/job-kind.js";
import type { Clock, JobOutcome, JobQueue } from "../queue/job-queue.js";
import { MemoryQueue } from "../queue/memory-queue.js";
import { appManifestCache } from "../registry/redis-manifest-cache.js";
import { RegistryClient } from "../registry/registry-client.js";
import { MemoryBreakerStore, RedisBreakerStore, type BreakerStore } from "../retry/breaker-store.js";
import { MemoryRetryBudget, RedisRetryBudget, type RetryBudget } from "../retry/retry-budget.js";
import type { Settings } from "../settings.js";
import { bottleneckConnection, type LimiterConnection } from "../util/bottleneck-connection.js";
import { ClusteredSerializer } from "../util/clustered-serializer.js";
import { InProcessSerializer } from "../util/keyed-serializer.js";
import { DeliveryNotStoredError, storeDelivery } from "./store-delivery.js";

/** How a capability handles one kind of delivery. */
export interface EventSubscription {
  /** The work the delivery stands for (a run attempt, one close of a PR), so it is queued once; else the delivery. */
  workId: (payload: unknown) => string | undefined;
  handle: (context: EventContext) => Promise<void>;
}

/** A capability: the job kinds it declares, and how it subscribes its events and handles its jobs. */
export interface Capability {
  name: string;
  jobs: readonly LaneOf[];
  register: (runtime: Runtime) => void;
}

export interface RuntimeOptions {
  clock: Clock;
  /** Set by the process while it shuts down: `/readyz` then says not ready. */
  lifecycle?: { draining: boolean };
  /** Another queue than the configured one (tests give each replica its own; benchmarks handle in the request). */
  queue?: (onJob: NonNullable<ConstructorParameters<typeof MemoryQueue>[0]["onJob"]>) => JobQueue;
}

/**
 * What every capability shares, built once per process from the operator's settings: the queue (in
 * process, or BullMQ on Redis) with a lane per declared lane, the per-PR serializer and the comment
 * store, Octokits with deadlines and metrics, the registry client, and the delivery path.
 */
export interface Runtime {
  app: Probot;
  settings: Settings;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  queue: JobQueue;
  jobs: Jobs;
  comments: CommentStore;
  registry: RegistryClient;
  /** Re-runs per repository per day: reserved where a re-run is decided, released where one is called off. */
  budget: RetryBudget;
  /** Re-run outcomes per repository and rule, which pause a rule whose re-runs keep failing the same way. */
  breaker: BreakerStore;
  /** With REDIS_URL: the clustered limiters' connection (write lanes, the per-PR serializer). */
  limiters: LimiterConnection | undefined;
  /** With REDIS_URL (and the BullMQ queue): the queue's connection, for state every replica shares. */
  redis: Redis | undefined;
  /** The installation's Octokit, counted in /metrics, with a deadline per request. */
  octokitFor: (installationId: number) => Promise<Octokit>;
  /** The app's own (JWT) Octokit, likewise. */
  appOctokit: () => Promise<Octokit>;
  /** An Octokit of Probot's own class with a token: same base URL (GHE_HOST), logging, throttling. */
  tokenOctokit: (token: string) => Promise<Octokit>;
  /** Subscribes a delivery: the webhook path queues it, a worker hands it to `handle`. */
  on: (event: string, subscription: EventSubscription) => void;
  /** The events subscribed (`event.action`). */
  events: () => string[];
  close: () => Promise<void>;
}

export function createRuntime(
  app: Probot,
  settings: Settings,
  capabilities: readonly Capability[],
  options: RuntimeOptions,
  appOptions?: Partial<ApplicationFunctionOptions>,
): Runtime {
  const { clock } = options;
  const metrics = new Metrics();
  const log = app.log;
  const queueOptions = {
    clock,
    concurrency: settings.concurrency.jobs,
    // Lanes come from the job kinds the capabilities declare: slow work never takes fast work's slots.
    lanes: lanesOf(
      capabilities.flatMap((capability) => capability.jobs),
      settings.concurrency,
    ),
    log: log.child({ name: "queue" }),
    onJob: ({ kind, outcome, seconds }: { kind: string; outcome: JobOutcome; seconds: number }) => {
      metrics.jobs.inc({ kind, outcome });
      metrics.jobSeconds.observe({ kind }, seconds);
    },
  };
  // One process with no services by default; with REDIS_URL every replica shares queues, schedules, budget and lanes.
  const bullmq =
    settings.redisUrl && !options.queue ? new BullmqQueue({ redisUrl: settings.redisUrl, ...queueOptions }) : undefined;
  const limiters = settings.redisUrl
    ? bottleneckConnection(settings.redisUrl, log.child({ name: "redis" }))
    : undefined;
  const queue: JobQueue = options.queue?.(queueOptions.onJob) ?? bullmq ?? new MemoryQueue(queueOptions);
  const jobs = new Jobs(queue);
  // Comment writes per PR are one at a time, across replicas too.
  const serializer = limiters ? new ClusteredSerializer(limiters) : new InProcessSerializer();
  const comments = new CommentStore({
    appId: appIdentity(app),
    serializer,
    seal: new StateSeal(deriveStateKey(settings.stateSecret)),
  });
  // The packages' registry is read for the manifest graph; a packages token also reads private images there.
  const packagesToken = settings.packagesTokens.fallback;
  const registry = new RegistryClient({
    allowList: [...new Set([...settings.registries, settings.containerRegistry])],
    credentials: {
      ...(packagesToken ? { [settings.containerRegistry]: { username: "dockhand", password: packagesToken } } : {}),
      ...settings.registryCredentials,
    },
    timeoutMs: settings.registryTimeoutMs,
    // Manifests read by digest stay in memory and, with Redis, there for every replica and restart.
    cache: appManifestCache(bullmq?.connection, settings.manifestCacheBytes, log.child({ name: "manifest-cache" })),
  });

  const ops = opsHandler(metrics, {
    queue: () => queue.ready(),
    ...(limiters ? { limiters: () => limiters.ready() } : {}),
    accepting: async () => !(options.lifecycle?.draining ?? false),
  });
  try {
    appOptions?.addHandler?.(ops);
  } catch (error) {
    // `probot.load()` without a server (tests, embedding) has nowhere to serve /healthz and /metrics.
    log.debug({ err: error }, "no HTTP server: /healthz, /readyz and /metrics are not served");
  }

  const prepare = (octokit: Octokit) => metrics.instrument(withRequestTimeout(octokit, settings.githubTimeoutMs));
  const subscriptions = new Map<string, EventSubscription>();
  jobs.handle(EVENT_JOB, async (job) => {
    const subscription = subscriptions.get(job.name);
    if (!subscription) return;
    const eventLog = log.child({
      name: "event",
      delivery: job.delivery,
      event: job.name,
      installation: job.installationId,
    });
    await subscription.handle({
      payload: job.payload,
      octokit: await runtime.octokitFor(job.installationId),
      log: eventLog,
    });
  });

  const runtime: Runtime = {
    app,
    settings,
    clock,
    log,
    metrics,
    queue,
    jobs,
    comments,
    registry,
    budget: bullmq ? new RedisRetryBudget(bullmq.connection) : new MemoryRetryBudget(),
    breaker: bullmq ? new RedisBreakerStore(bullmq.connection) : new MemoryBreakerStore(),
    limiters,
    redis: bullmq?.connection,
    octokitFor: async (installationId) => prepare((await app.auth(installationId)) as Octokit),
    appOctokit: async () => prepare((await app.auth()) as Octokit),
    tokenOctokit: async (token) => {
      const Constructor = (await app.auth()).constructor as typeof ProbotOctokit;
      return prepare(new Constructor({ auth: { token } }) as Octokit);
    },
    on: (event, subscription) => {
      subscriptions.set(event, subscription);
      // The webhook path: the signature is checked; the delivery is counted, filtered and queued under
      // the id of the work it stands for, and answered at once. Workers do the work. A delivery the
      // queue cannot take (shutting down, Redis unreachable) is answered 503, never 2xx: GitHub records
      // it failed, and the recovery loop asks for it again.
      app.on(event as "workflow_run.completed", async (context: Context) => {
        metrics.deliveries.inc({ event: context.name });
        const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
        if (typeof installationId !== "number") {
          context.log.warn("delivery without an installation; ignored");
          return;
        }
        const work = subscription.workId(context.payload) ?? `delivery:${context.id}`;
        let added: boolean;
        try {
          if (options.lifecycle?.draining) throw new DeliveryNotStoredError("shutting down");
          added = await storeDelivery(() =>
            jobs.add(
              EVENT_JOB,
              { name: event, delivery: context.id, installationId, work, payload: context.payload },
              clock.now(),
            ),
          );
        } catch (error) {
          context.log.error(
            { err: error, guid: context.id },
            "delivery not stored; answering 503 so that GitHub records it failed",
          );
          throw error;
        }
        context.log.debug({ added }, added ? "delivery queued" : "delivery's work already queued");
      });
    },
    events: () => [...subscriptions.keys()],
    close: async () => {
      await queue.close();
      await limiters?.disconnect();
    },
  };
  return runtime;
}
