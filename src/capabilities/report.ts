import type { Capability } from "../runtime/runtime.js";
import { handleWorkflowRunCompleted, workflowRunWork } from "../workflow-run/handle-workflow-run-completed.js";

/**
 * The PR image report, and the retry decision that rides on the same delivery: a completed run
 * attempt is reported in the PR comment, and a flaky push's re-run is decided, written, then queued.
 */
export const report: Capability = {
  name: "report",
  jobs: [],
  register: (runtime) =>
    runtime.on("workflow_run.completed", {
      workId: workflowRunWork,
      handle: (context) =>
        handleWorkflowRunCompleted(context, {
          comments: runtime.comments,
          registry: runtime.registry,
          queue: runtime.jobs,
          budget: runtime.budget,
          knownRegistries: runtime.settings.registries,
          breaker: runtime.breaker,
          countOutcome: (rule, outcome) => runtime.metrics.retryOutcomes.inc({ rule, outcome }),
        }),
    }),
};
