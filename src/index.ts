import type { Probot } from "probot";
import { appIdentity } from "./github/app-identity.js";
import type { Octokit } from "./github/octokit.js";
import { MemoryQueue } from "./queue/memory-queue.js";
import { systemClock, type Clock } from "./queue/job-queue.js";
import { RegistryClient } from "./registry/registry-client.js";
import { recordRetryOutcome } from "./report/record-retry-outcome.js";
import { RERUN_JOB, type RerunJob } from "./retry/rerun-job.js";
import { requestRerun } from "./retry/request-rerun.js";
import { MemoryRetryBudget } from "./retry/retry-budget.js";
import { readSettings } from "./settings.js";
import { KeyedSerializer } from "./util/keyed-serializer.js";
import { handleWorkflowRunCompleted } from "./workflow-run/handle-workflow-run-completed.js";

export interface DockhandOptions {
  /** Tests move time by hand. */
  clock?: Clock;
  /** Receives the app's queue, for tests to wait on. */
  onQueue?: (queue: MemoryQueue) => void;
}

/** Wiring only: each capability's handler gets its dependencies here. */
export function createDockhand(options: DockhandOptions = {}) {
  return function dockhand(app: Probot): void {
    const settings = readSettings();
    const clock = options.clock ?? systemClock;
    const registry = new RegistryClient({
      allowList: settings.registries,
      credentials: settings.registryCredentials,
      timeoutMs: settings.registryTimeoutMs,
    });
    const appId = appIdentity(app);
    const serializer = new KeyedSerializer();
    const queue = new MemoryQueue({ clock, log: app.log.child({ name: "queue" }) });
    options.onQueue?.(queue);
    const budget = new MemoryRetryBudget();
    const log = app.log.child({ name: "retry" });

    queue.handle(RERUN_JOB, (data) =>
      requestRerun(data as RerunJob, {
        octokitFor: async (installationId) => (await app.auth(installationId)) as Octokit,
        queue,
        budget,
        clock,
        log,
        record: (octokit, job, outcome) => recordRetryOutcome(octokit, job, outcome, { appId, serializer, log }),
      }),
    );
    app.on("workflow_run.completed", (context) =>
      handleWorkflowRunCompleted(context, { appId, registry, serializer, queue, budget, knownRegistries: settings.registries }),
    );
  };
}

export default createDockhand();
