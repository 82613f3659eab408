import type { Logger } from "probot";
import type { AttemptJob, AttemptJobs } from "../github/list-attempt-jobs.js";
import { isTransientError, statusOf, type Octokit, type RepoRef } from "../github/octokit.js";
import { readJobLogTail } from "../github/read-log-tail.js";
import type { JobImages, RawArtifact } from "./build-run-report.js";
import { parsePushedImages } from "./parse-pushed-images.js";

export interface RunOutputs {
  jobImages: JobImages[];
  /** Undefined when GitHub would not list them; the report says so rather than failing. */
  artifacts: RawArtifact[] | undefined;
  /** `truncated`: jobs whose logs were longer than `LOG_TAIL_BYTES`, read only to that much of their end. */
  logs: { read: number; failed: string[]; skipped: number; truncated: string[] };
}

/**
 * How much of each job log's end is read for pushes. Pushes come at the end of a build, and a tool's
 * push lines are a few KiB; a log is the job's own output, as long as it chose to print, so it is
 * never read whole. An image pushed before the last 4 MiB is missed, and the report says so.
 */
export const LOG_TAIL_BYTES = 4 * 1024 * 1024;

// Jobs and steps whose names suggest they build or push images are read first.
const IMAGE_WORK = /docker|image|container|build|push|publish|release|registry|ghcr|podman|buildx/i;

/**
 * What one run attempt produced: pushed images from its job logs (not for forks and Dependabot, whose
 * tokens cannot push and whose logs they control) and its artifacts.
 */
export async function readRunOutputs(
  octokit: Octokit,
  repo: RepoRef,
  run: { id: number; attempt: number },
  options: { jobs: AttemptJobs; readLogs: boolean; maxJobLogs: number; log: Logger },
): Promise<RunOutputs> {
  const artifacts = await octokit
    .paginate(octokit.rest.actions.listWorkflowRunArtifacts, { ...repo, run_id: run.id, per_page: 100 })
    .then((list) =>
      list.map((a) => ({
        id: a.id,
        name: a.name,
        size_in_bytes: a.size_in_bytes,
        digest: a.digest ?? null,
        expired: a.expired,
        expires_at: a.expires_at,
      })),
    )
    .catch((error: unknown) => {
      // A transient failure is retried with the whole delivery; a lasting one is said on the PR.
      if (isTransientError(error)) throw error;
      options.log.warn({ err: error }, "could not list run artifacts");
      return undefined;
    });
  if (!options.readLogs) return { jobImages: [], artifacts, logs: { read: 0, failed: [], skipped: 0, truncated: [] } };

  if (!options.jobs.ok)
    return {
      jobImages: [],
      artifacts,
      logs: { read: 0, failed: [`jobs: ${options.jobs.reason}`], skipped: 0, truncated: [] },
    };
  const jobs = options.jobs.jobs;
  const candidates = jobs
    .filter((job) => job.status === "completed" && job.conclusion !== "skipped" && job.conclusion !== "cancelled")
    .sort((a, b) => Number(looksLikeImageWork(b)) - Number(looksLikeImageWork(a)));
  const chosen = candidates.slice(0, options.maxJobLogs);
  const jobImages: JobImages[] = [];
  const failed: string[] = [];
  const truncated: string[] = [];
  for (const job of chosen) {
    try {
      const tail = await readJobLogTail(octokit, repo, job.id, { chunks: [LOG_TAIL_BYTES] });
      if (tail.truncated) truncated.push(job.name);
      const images = parsePushedImages(tail.text);
      if (images.length > 0) jobImages.push({ job: job.name, images });
    } catch (error) {
      if (isTransientError(error)) throw error;
      options.log.warn({ err: error, jobId: job.id }, "could not read job log");
      failed.push(`${job.name}: HTTP ${statusOf(error) ?? "error"}`);
    }
  }
  return {
    jobImages,
    artifacts,
    logs: { read: chosen.length - failed.length, failed, skipped: candidates.length - chosen.length, truncated },
  };
}

function looksLikeImageWork(job: AttemptJob): boolean {
  return IMAGE_WORK.test(job.name) || job.steps.some((step) => IMAGE_WORK.test(step.name));
}
