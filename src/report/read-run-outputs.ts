import type { Logger } from "probot";
import type { AttemptJob, AttemptJobs } from "../github/list-attempt-jobs.js";
import { isTransientError, statusOf, type Octokit, type RepoRef } from "../github/octokit.js";
import { readJobLogTail } from "../github/read-log-tail.js";
import type { JobImages, RawArtifact } from "./build-run-report.js";
import { mapLimit } from "../util/map-limit.js";
import { parsePushedImages, type PushedImage } from "./parse-pushed-images.js";

export interface RunOutputs {
  jobImages: JobImages[];
  /** Undefined when GitHub would not list them; the report says so rather than failing. */
  artifacts: RawArtifact[] | undefined;
  /** Artifacts GitHub counts past the pages read (`MAX_ARTIFACT_PAGES`). */
  artifactsOmitted?: number;
  /** `truncated`: jobs whose logs were longer than `LOG_TAIL_BYTES`, read only to that much of their end. */
  logs: { read: number; failed: string[]; skipped: number; truncated: string[] };
}

/**
 * How much of each job log's end is read for pushes. Pushes come at the end of a build, and a tool's
 * push lines are a few KiB; a log is the job's own output, as long as it chose to print, so it is
 * never read whole. An image pushed before the last 4 MiB is missed, and the report says so.
 */
export const LOG_TAIL_BYTES = 4 * 1024 * 1024;

/**
 * Pages of 100 artifacts read at most. A run's workflow is the PR's own, a fork's too, and each of its
 * jobs may upload hundreds: past 1,000 the report counts the rest rather than list them.
 */
export const MAX_ARTIFACT_PAGES = 10;

// Jobs and steps whose names suggest they build or push images are read first.
const IMAGE_WORK = /docker|image|container|build|push|publish|release|registry|ghcr|podman|buildx/i;

/**
 * What one run attempt produced: pushed images from its job logs (not for forks and Dependabot, whose
 * tokens cannot push and whose logs they control) and its artifacts. The artifact list and the logs
 * are read together, at most `reads` requests at once (each log is its redirect, then its range): over
 * a distant GitHub the reads take about as long as the slowest, not as long as all of them. A
 * transient failure fails the whole read, as it would one at a time, but only once every read started
 * has ended, and no further log is asked for meanwhile.
 */
export async function readRunOutputs(
  octokit: Octokit,
  repo: RepoRef,
  run: { id: number; attempt: number },
  options: { jobs: AttemptJobs; readLogs: boolean; maxJobLogs: number; reads: number; log: Logger },
): Promise<RunOutputs> {
  let total = 0;
  let pages = 0;
  const listed = octokit
    .paginate(
      octokit.rest.actions.listWorkflowRunArtifacts,
      { ...repo, run_id: run.id, per_page: 100 },
      (response, done): RawArtifact[] => {
        // The pages are normalised to the list; GitHub's count of all of them stays on it.
        total = (response.data as { total_count?: number }).total_count ?? total;
        if (++pages >= MAX_ARTIFACT_PAGES) done();
        return response.data.map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: a.size_in_bytes,
          digest: a.digest ?? null,
          expired: a.expired,
          expires_at: a.expires_at,
        }));
      },
    )
    .catch((error: unknown) => {
      // A transient failure is retried with the whole delivery; a lasting one is said on the PR.
      if (isTransientError(error)) throw error;
      options.log.warn({ err: error }, "could not list run artifacts");
      return undefined;
    });
  const [artifacts, logs] = await Promise.allSettled([
    listed,
    readPushes(octokit, repo, { ...options, reads: Math.max(1, options.reads - 1) }),
  ]);
  if (artifacts.status === "rejected") throw artifacts.reason;
  if (logs.status === "rejected") throw logs.reason;
  const omitted = artifacts.value ? Math.max(0, total - artifacts.value.length) : 0;
  return { artifacts: artifacts.value, ...(omitted > 0 ? { artifactsOmitted: omitted } : {}), ...logs.value };
}

type LogRead =
  | { job: AttemptJob; read: { truncated: boolean; images: PushedImage[] }; failed?: undefined }
  | { job: AttemptJob; read?: undefined; failed: string };

/** Pushed images from the chosen jobs' log tails, `reads` logs at a time. */
async function readPushes(
  octokit: Octokit,
  repo: RepoRef,
  options: { jobs: AttemptJobs; readLogs: boolean; maxJobLogs: number; reads: number; log: Logger },
): Promise<Omit<RunOutputs, "artifacts" | "artifactsOmitted">> {
  if (!options.readLogs) return { jobImages: [], logs: { read: 0, failed: [], skipped: 0, truncated: [] } };
  if (!options.jobs.ok)
    return { jobImages: [], logs: { read: 0, failed: [`jobs: ${options.jobs.reason}`], skipped: 0, truncated: [] } };
  const jobs = options.jobs.jobs;
  const candidates = jobs
    .filter((job) => job.status === "completed" && job.conclusion !== "skipped" && job.conclusion !== "cancelled")
    .sort((a, b) => Number(looksLikeImageWork(b)) - Number(looksLikeImageWork(a)));
  const chosen = candidates.slice(0, options.maxJobLogs);
  let transient: { error: unknown } | undefined;
  // In the jobs' order, whichever answers first: the report lists them as one at a time would.
  const results = await mapLimit(chosen, options.reads, async (job): Promise<LogRead | undefined> => {
    if (transient) return undefined;
    try {
      const tail = await readJobLogTail(octokit, repo, job.id, { chunks: [LOG_TAIL_BYTES] });
      return { job, read: { truncated: tail.truncated, images: parsePushedImages(tail.text) } };
    } catch (error) {
      if (isTransientError(error)) {
        transient ??= { error };
        return undefined;
      }
      options.log.warn({ err: error, jobId: job.id }, "could not read job log");
      return { job, failed: `${job.name}: HTTP ${statusOf(error) ?? "error"}` };
    }
  });
  if (transient) throw transient.error;
  const jobImages: JobImages[] = [];
  const failed: string[] = [];
  const truncated: string[] = [];
  for (const result of results) {
    if (!result) continue;
    if (!result.read) {
      failed.push(result.failed);
      continue;
    }
    if (result.read.truncated) truncated.push(result.job.name);
    if (result.read.images.length > 0) jobImages.push({ job: result.job.name, images: result.read.images });
  }
  return {
    jobImages,
    logs: { read: chosen.length - failed.length, failed, skipped: candidates.length - chosen.length, truncated },
  };
}

function looksLikeImageWork(job: AttemptJob): boolean {
  return IMAGE_WORK.test(job.name) || job.steps.some((step) => IMAGE_WORK.test(step.name));
}
