import type { ApplicationFunctionOptions, Context, Logger, Probot, ProbotOctokit } from "probot";
import { EVENT_JOB, eventJobId, type EventJob } from "./events/event-job.js";
import { appIdentity } from "./github/app-identity.js";
import type { Octokit } from "./github/octokit.js";
import { withRequestTimeout } from "./github/request-timeout.js";
import { handlePullRequestClosed } from "./prune/handle-pull-request-closed.js";
import { PackageCredentials } from "./prune/package-credentials.js";
import { PRUNE_PULL_JOB, type PrunePullJob } from "./prune/prune-pull-job.js";
import { prunePullRequest } from "./prune/prune-pull-request.js";
import { isSweepTick, lastHour, sweepRepository, sweepTick, SWEEP_REPO_JOB, SWEEP_TICK_JOB, tickFor, type SweepRepoJob } from "./prune/sweep.js";
import { WriteLanes } from "./prune/write-lanes.js";
import { Metrics } from "./ops/metrics.js";
import { opsHandler } from "./ops/ops-handler.js";
import { BullmqQueue } from "./queue/bullmq-queue.js";
import { MemoryQueue } from "./queue/memory-queue.js";
import { systemClock, type Clock, type JobQueue } from "./queue/job-queue.js";
import { RegistryClient } from "./registry/registry-client.js";
import { CommentStore } from "./comment/comment-store.js";
import { StateSeal } from "./comment/seal-state.js";
import { writePruneRecord } from "./comment/write-prune-record.js";
import { writeRetryOutcome } from "./comment/write-retry-outcome.js";
import { RERUN_JOB, type RerunJob } from "./retry/rerun-job.js";
import { requestRerun } from "./retry/request-rerun.js";
import { MemoryRetryBudget, RedisRetryBudget } from "./retry/retry-budget.js";
import { readSettings } from "./settings.js";
import { bottleneckConnection } from "./util/bottleneck-connection.js";
import { ClusteredSerializer } from "./util/clustered-serializer.js";
import { InProcessSerializer, type KeyedSerializer } from "./util/keyed-serializer.js";
import { handleWorkflowRunCompleted } from "./workflow-run/handle-workflow-run-completed.js";
import type { EventContext } from "./events/event-context.js";

export interface DockhandOptions {
  /** Tests move time by hand. */
  clock?: Clock;
  /** Receives the app's queue, log and a close function: tests wait on the queue, the process drains it on SIGTERM. */
  onStarted?: (handles: { queue: JobQueue; log: Logger; close: () => Promise<void> }) => void;
  /** Set by the process while it shuts down: `/readyz` then says not ready. */
  lifecycle?: { draining: boolean };
  /** Another queue than the configured one (benchmarks compare handling in the request). */
  queue?: (onJob: NonNullable<ConstructorParameters<typeof MemoryQueue>[0]["onJob"]>) => JobQueue;
}

/** Wiring only: each capability's handler gets its dependencies here. */
export function createDockhand(options: DockhandOptions = {}) {
  return function dockhand(app: Probot, appOptions?: Partial<ApplicationFunctionOptions>): void {
    const settings = readSettings();
    const clock = options.clock ?? systemClock;
    const metrics = new Metrics();
    // The packages' registry is read for the manifest graph; a packages token also reads private images there.
    const packagesToken = settings.packagesTokens.fallback;
    const registry = new RegistryClient({
      allowList: [...new Set([...settings.registries, settings.containerRegistry])],
      credentials: {
        ...(packagesToken ? { [settings.containerRegistry]: { username: "dockhand", password: packagesToken } } : {}),
        ...settings.registryCredentials,
      },
      timeoutMs: settings.registryTimeoutMs,
    });
    const appId = appIdentity(app);
    const queueOptions = {
      clock,
      concurrency: settings.concurrency.jobs,
      // Pruning waits a second per deletion: it has slots of its own, and never takes those of reports and re-runs.
      lanes: { prune: { kinds: [PRUNE_PULL_JOB, SWEEP_REPO_JOB], concurrency: settings.concurrency.prune } },
      log: app.log.child({ name: "queue" }),
      onJob: ({ kind, outcome, seconds }: { kind: string; outcome: "done" | "retry" | "failed"; seconds: number }) => {
        metrics.jobs.inc({ kind, outcome });
        metrics.jobSeconds.observe({ kind }, seconds);
      },
    };
    // One process with no services by default; with REDIS_URL every replica shares queues, schedules, budget and lanes.
    const bullmq = settings.redisUrl && !options.queue ? new BullmqQueue({ redisUrl: settings.redisUrl, ...queueOptions }) : undefined;
    // Comment writes per PR, and each credential's package deletions, are one at a time across replicas too.
    const limiterConnection = settings.redisUrl ? bottleneckConnection(settings.redisUrl, app.log.child({ name: "redis" })) : undefined;
    const serializer: KeyedSerializer = limiterConnection ? new ClusteredSerializer(limiterConnection) : new InProcessSerializer();
    const queue: JobQueue = options.queue?.(queueOptions.onJob) ?? bullmq ?? new MemoryQueue(queueOptions);
    const comments = new CommentStore({ appId, serializer, seal: new StateSeal(settings.stateKey) });
    const ops = opsHandler(metrics, {
      queue: () => queue.ready(),
      ...(limiterConnection ? { limiters: () => limiterConnection.ready() } : {}),
      accepting: async () => !(options.lifecycle?.draining ?? false),
    });
    try {
      appOptions?.addHandler?.(ops);
    } catch (error) {
      // `probot.load()` without a server (tests, embedding) has nowhere to serve /healthz and /metrics.
      app.log.debug({ err: error }, "no HTTP server: /healthz, /readyz and /metrics are not served");
    }
    const budget = bullmq ? new RedisRetryBudget(bullmq.connection) : new MemoryRetryBudget();
    // Every Octokit the app uses is counted in /metrics and has a deadline per request.
    const prepare = (octokit: Octokit) => metrics.instrument(withRequestTimeout(octokit, settings.githubTimeoutMs));
    const octokitFor = async (installationId: number) => prepare((await app.auth(installationId)) as Octokit);
    /**
     * The webhook path: Probot has checked the signature; the delivery is counted, filtered and queued
     * under the id of the work it stands for, and answered at once. Workers do the work.
     */
    const enqueue = (name: string) => async (context: Context) => {
      metrics.deliveries.inc({ event: context.name });
      const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
      if (typeof installationId !== "number") {
        context.log.warn("delivery without an installation; ignored");
        return;
      }
      const job: EventJob = { name, delivery: context.id, installationId, payload: context.payload };
      const added = await queue.add(EVENT_JOB, job, { id: eventJobId(name, context.payload, context.id), runAt: clock.now() });
      context.log.debug({ added }, added ? "delivery queued" : "delivery's work already queued");
    };
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

    const retryLog = app.log.child({ name: "retry" });
    queue.handle(RERUN_JOB, (data, running) =>
      requestRerun(
        data as RerunJob,
        {
          octokitFor,
          queue,
          budget,
          clock,
          log: retryLog,
          record: (octokit, job, outcome) => writeRetryOutcome(comments, octokit, job, outcome, retryLog),
        },
        running,
      ),
    );

    const pruneLog = app.log.child({ name: "prune" });
    const credentials = new PackageCredentials(
      settings.packagesTokens,
      // A token-authenticated Octokit of Probot's own class: same base URL (GHE_HOST), logging and throttling.
      async (token) => {
        const Constructor = (await app.auth()).constructor as typeof ProbotOctokit;
        return prepare(new Constructor({ auth: { token } }) as Octokit);
      },
      pruneLog,
    );
    const lanes = new WriteLanes(settings.pruneWriteIntervalMs, limiterConnection);
    options.onStarted?.({
      queue,
      log: app.log,
      close: async () => {
        await queue.close();
        await limiterConnection?.disconnect();
      },
    });
    const pruneDeps = {
      octokitFor,
      credentials,
      registry,
      containerRegistry: settings.containerRegistry,
      lanes,
      sleep,
      clockNow: () => clock.now(),
      log: pruneLog,
    };
    queue.handle(PRUNE_PULL_JOB, (data, running) =>
      prunePullRequest(
        data as PrunePullJob,
        { ...pruneDeps, record: (octokit, job, record, create) => writePruneRecord(comments, octokit, job, record, create, pruneLog) },
        running,
      ),
    );
    queue.handle(SWEEP_REPO_JOB, (data, running) => sweepRepository(data as SweepRepoJob, { ...pruneDeps, queue }, running));
    const scheduled = queue.every?.bind(queue);
    queue.handle(SWEEP_TICK_JOB, async (data) => {
      // A Redis scheduler fires without data: the window is the hour that just ended.
      const tick = isSweepTick(data) ? data : lastHour(clock.now());
      await sweepTick(tick, { appOctokit: async () => prepare((await app.auth()) as Octokit), octokitFor, queue, log: pruneLog });
      if (!scheduled) {
        const next = tickFor(tick.windowEnd);
        await queue.add(SWEEP_TICK_JOB, next.tick, { id: next.id, runAt: next.runAt });
      }
    });
    if (settings.sweep) {
      if (scheduled) {
        void scheduled(SWEEP_TICK_JOB, "0 * * * *").catch((error: unknown) => pruneLog.error({ err: error }, "could not schedule the sweep"));
      } else {
        const first = tickFor(clock.now());
        void queue.add(SWEEP_TICK_JOB, first.tick, { id: first.id, runAt: first.runAt });
      }
    }

    const handlers: Record<string, (context: EventContext) => Promise<void>> = {
      "workflow_run.completed": (context) => handleWorkflowRunCompleted(context, { comments, registry, queue, budget, knownRegistries: settings.registries }),
      "pull_request.closed": (context) =>
        handlePullRequestClosed(context, {
          queue,
          containerRegistry: settings.containerRegistry,
          record: (octokit, target, record, log) => writePruneRecord(comments, octokit, target, record, false, log),
        }),
    };
    queue.handle(EVENT_JOB, async (data) => {
      const job = data as EventJob;
      const handle = handlers[job.name];
      if (!handle) return;
      const log = app.log.child({ name: "event", delivery: job.delivery, event: job.name, installation: job.installationId });
      await handle({ payload: job.payload, octokit: await octokitFor(job.installationId), log });
    });
    for (const name of Object.keys(handlers)) app.on(name as "workflow_run.completed", enqueue(name));
  };
}

export default createDockhand();
