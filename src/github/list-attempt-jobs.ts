import { isTransientError, statusOf, type Octokit, type RepoRef } from "./octokit.js";

export interface AttemptJob {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  steps: { name: string; conclusion: string | null; number: number }[];
}

export type AttemptJobs = { ok: true; jobs: AttemptJob[] } | { ok: false; reason: string };

/**
 * The jobs of one run attempt, listed once and shared by the report and the retry decision. A
 * transient failure throws (the delivery's job is tried again); a lasting one is returned to report.
 */
export async function listAttemptJobs(
  octokit: Octokit,
  repo: RepoRef,
  run: { id: number; attempt: number },
): Promise<AttemptJobs> {
  try {
    const jobs = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRunAttempt, {
      ...repo,
      run_id: run.id,
      attempt_number: run.attempt,
      per_page: 100,
    });
    return {
      ok: true,
      jobs: jobs.map((job) => ({
        id: job.id,
        name: job.name,
        status: job.status,
        conclusion: job.conclusion,
        steps: (job.steps ?? []).map((s) => ({ name: s.name, conclusion: s.conclusion, number: s.number })),
      })),
    };
  } catch (error) {
    if (isTransientError(error)) throw error;
    return { ok: false, reason: `HTTP ${statusOf(error) ?? "error"}` };
  }
}
