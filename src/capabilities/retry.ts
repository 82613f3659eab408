import { writeRetryOutcome } from "../comment/write-retry-outcome.js";
import { RERUN_JOB } from "../retry/rerun-job.js";
import { requestRerun } from "../retry/request-rerun.js";
import type { Capability } from "../runtime/runtime.js";

/** The scheduled re-run of a flaky push: asks GitHub when due, and writes what happened into the PR comments. */
export const retry: Capability = {
  name: "retry",
  jobs: [RERUN_JOB],
  register: (runtime) => {
    const log = runtime.log.child({ name: "retry" });
    runtime.jobs.handle(RERUN_JOB, (job, running) =>
      requestRerun(
        job,
        {
          octokitFor: runtime.octokitFor,
          queue: runtime.jobs,
          budget: runtime.budget,
          clock: runtime.clock,
          log,
          record: (octokit, rerun, outcome) => writeRetryOutcome(runtime.comments, octokit, rerun, outcome, log),
        },
        running,
      ),
    );
  },
};
