import { z } from "zod";
import { applyRun, setRerunResult } from "../comment/comment-state.js";
import type { CommentStore } from "../comment/comment-store.js";
import { previousRerun } from "../comment/previous-rerun.js";
import { loadConfig } from "../config/load-config.js";
import type { EventContext } from "../events/event-context.js";
import { parseConfig } from "../config/parse-config.js";
import { isSelectedRun } from "../config/select-workflow-run.js";
import { findPullRequests } from "../github/find-pull-requests.js";
import { listAttemptJobs, type AttemptJobs } from "../github/list-attempt-jobs.js";
import type { ManifestLookup, RegistryClient } from "../registry/registry-client.js";
import {
  buildRunReport,
  emptyRunReport,
  expectedTargets,
  type RunFacts,
  type RunOrigin,
} from "../report/build-run-report.js";
import { planImageChecks } from "../report/plan-image-checks.js";
import { readRunOutputs, type RunOutputs } from "../report/read-run-outputs.js";
import { FAILED_CONCLUSIONS } from "../retry/decide-retry.js";
import { planRunRetry, queueRerun, type PlannedRetry, type RetryDependencies } from "../retry/plan-run-retry.js";
import { InFlight } from "../util/in-flight.js";
import { mapLimit } from "../util/map-limit.js";

export interface WorkflowRunDependencies extends RetryDependencies {
  comments: CommentStore;
  registry: RegistryClient;
}

const DEPENDABOT = "dependabot[bot]";

/**
 * A delivery's GitHub reads in flight at once, at most: the report's (the artifact list, job logs) and
 * the retry decision's together. All requests of one installation are further held to 10 at once by
 * Octokit's throttling (per process, or across replicas on Redis).
 */
const READS_AT_ONCE = 4;

/** The parts of a `workflow_run.completed` payload the report relies on, checked before use. */
const payloadSchema = z.object({
  installation: z.object({ id: z.number() }),
  repository: z.object({ id: z.number(), name: z.string(), owner: z.object({ login: z.string() }) }),
  workflow_run: z.object({
    id: z.number(),
    run_number: z.number(),
    run_attempt: z.number().int().min(1),
    name: z.string().nullish(),
    path: z.string(),
    workflow_id: z.number(),
    event: z.string(),
    created_at: z.string(),
    conclusion: z.string().nullable(),
    head_sha: z.string().regex(/^[0-9a-f]{40}$/),
    head_branch: z.string().nullable(),
    html_url: z.string(),
    updated_at: z.string(),
    head_repository: z.object({ id: z.number(), owner: z.object({ login: z.string() }) }).nullable(),
    actor: z.object({ login: z.string() }).nullish(),
  }),
});

/** One run attempt, whichever delivery or replica brings it. */
export function workflowRunWork(payload: unknown): string | undefined {
  const p = payload as { repository?: { id?: unknown }; workflow_run?: { id?: unknown; run_attempt?: unknown } } | null;
  if (!p?.workflow_run) return undefined;
  return `workflow_run:${String(p.repository?.id)}:${String(p.workflow_run.id)}:${String(p.workflow_run.run_attempt)}`;
}

/**
 * One completed run attempt: the report of what it built and, when it failed, the retry decision.
 * Both land in the PR's one Dockhand comment; the re-run itself happens later, in a queued job.
 */
export async function handleWorkflowRunCompleted(context: EventContext, deps: WorkflowRunDependencies): Promise<void> {
  // Reads started ahead of need end with the delivery's handling, never after it.
  const inFlight = new InFlight();
  try {
    await reportRun(context, deps, inFlight);
  } finally {
    await inFlight.settled();
  }
}

async function reportRun(context: EventContext, deps: WorkflowRunDependencies, inFlight: InFlight): Promise<void> {
  const parsed = payloadSchema.safeParse(context.payload);
  if (!parsed.success) {
    context.log.warn(
      { problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) },
      "ignoring malformed workflow_run payload",
    );
    return;
  }
  const { installation, repository, workflow_run: run } = parsed.data;
  const repo = { owner: repository.owner.login, repo: repository.name };
  const log = context.log.child({ runId: run.id, attempt: run.run_attempt, repository: `${repo.owner}/${repo.repo}` });
  if (!run.head_branch || !run.head_repository) {
    log.debug("run has no head branch or repository; not a PR build");
    return;
  }

  // Fork runs are never re-run: their logs are the fork's to write, and their re-runs cost the base repository.
  const readsJobs = run.head_repository.id === repository.id;
  const head = {
    headSha: run.head_sha,
    headBranch: run.head_branch,
    headRepoId: run.head_repository.id,
    headOwner: run.head_repository.owner.login,
  };
  const readPulls = () => findPullRequests(context.octokit, repo, head);
  const readJobs = (): Promise<AttemptJobs> =>
    readsJobs
      ? listAttemptJobs(context.octokit, repo, { id: run.id, attempt: run.run_attempt })
      : Promise.resolve({ ok: true, jobs: [] });
  // A run of an event the default config selects (a pull request's) reads its PRs and jobs beside the
  // config: one round trip where there were three. Other events wait for the config, so a run it does
  // not select costs that one read, as before.
  const early = DEFAULT_EVENTS.includes(run.event)
    ? { pulls: inFlight.start(readPulls()), jobs: inFlight.start(readJobs()) }
    : undefined;

  const loaded = await loadConfig(context.octokit, repo);
  const config = loaded.ok ? loaded.config : parseDefaults();
  const configProblems = loaded.ok ? [] : loaded.problems;
  if (!loaded.ok)
    log.error(
      { problems: loaded.problems, files: loaded.files },
      "invalid .github/dockhand.yml; using defaults for the report and re-running nothing",
    );
  const workflowName = run.name ?? run.path;
  // An invalid config stops every action; only the report (with defaults) goes on, to say so.
  const retrying = loaded.ok && config.retry.mode !== "off" && FAILED_CONCLUSIONS.has(run.conclusion ?? "");
  // A later attempt may be Dockhand's re-run, whose outcome (passed too) counts for its rule's breaker.
  const following = loaded.ok && config.retry.mode !== "off" && run.run_attempt > 1;
  if (
    (!config.report.enabled && !retrying && !following) ||
    !isSelectedRun(config.workflows, { event: run.event, name: workflowName, path: run.path })
  ) {
    log.debug("run not selected");
    return;
  }

  const pulls = await (early?.pulls ?? readPulls());
  const origin: RunOrigin =
    run.head_repository.id !== repository.id
      ? "fork"
      : run.actor?.login === DEPENDABOT || pulls.some((p) => p.author === DEPENDABOT)
        ? "dependabot"
        : "same-repo";
  const previous =
    following && readsJobs
      ? await previousRerun(
          deps.comments,
          context.octokit,
          repo,
          pulls.map((p) => p.number),
          { id: run.id, attempt: run.run_attempt },
          log,
        )
      : undefined;
  if (!config.report.enabled && !retrying && !previous) {
    log.debug("run not selected: no report, and not a re-run Dockhand asked for");
    return;
  }
  const jobs = await (early?.jobs ?? readJobs());
  const planning = Boolean(retrying || previous) && origin !== "fork";
  // The report's reads go out now, beside the retry decision's: at most READS_AT_ONCE between them.
  const reading =
    pulls.length > 0 && config.report.enabled
      ? inFlight.start(
          readRunOutputs(
            context.octokit,
            repo,
            { id: run.id, attempt: run.run_attempt },
            {
              jobs,
              readLogs: origin === "same-repo",
              maxJobLogs: config.report.maxJobLogs,
              reads: planning ? READS_AT_ONCE - 1 : READS_AT_ONCE,
              log,
            },
          ),
        )
      : undefined;

  let planned: PlannedRetry | undefined;
  if (planning) {
    planned = await planRunRetry(
      context.octokit,
      repo,
      {
        installationId: installation.id,
        runId: run.id,
        attempt: run.run_attempt,
        workflowId: run.workflow_id,
        headBranch: run.head_branch,
        event: run.event,
        conclusion: run.conclusion,
        createdAt: run.created_at,
        completedAt: run.updated_at,
        previous,
      },
      jobs,
      config.retry,
      pulls.map((p) => p.number),
      deps,
      log,
    );
  }
  const retry = planned?.record;
  const rerun = planned?.rerun;
  if (pulls.length === 0) {
    log.info("no open pull request for this run");
    if (rerun) await queueRerun(deps.queue, rerun, log);
    return;
  }

  const outputs: RunOutputs = reading
    ? await reading
    : { jobImages: [], artifacts: [], logs: { read: 0, failed: [], skipped: 0, truncated: [] } };
  const pushed = outputs.jobImages.flatMap((j) => j.images);
  const facts: RunFacts = {
    workflowKey: String(run.workflow_id),
    workflowName,
    runId: run.id,
    runNumber: run.run_number,
    attempt: run.run_attempt,
    runUrl: run.html_url,
    event: run.event,
    conclusion: run.conclusion,
    headSha: run.head_sha,
    completedAt: run.updated_at,
    origin,
  };

  // Shared by every PR of the run: on ghcr.io each manifest read counts as a download.
  const lookups = new Map<string, ManifestLookup>();
  let checksLeft = config.report.maxImageChecks;
  for (const pull of pulls) {
    const vars = {
      number: pull.number,
      sha: run.head_sha,
      branch: run.head_branch,
      owner: repo.owner,
      repo: repo.repo,
    };
    const expected =
      origin === "same-repo" && config.report.enabled
        ? expectedTargets(config.report, vars, pushed)
        : { targets: [], invalidTemplates: [] };
    const checks = planImageChecks(pushed, expected.targets, {
      done: lookups,
      budget: checksLeft,
      isAllowed: (host) => deps.registry.isAllowed(host),
    });
    checksLeft -= checks.requests;
    for (const [key, result] of await mapLimit(
      checks.lookup,
      4,
      async ([key, ref]) => [key, await deps.registry.lookup(ref)] as const,
    )) {
      lookups.set(key, result);
    }
    const built = !config.report.enabled
      ? emptyRunReport(facts)
      : buildRunReport({
          facts,
          config: config.report,
          vars,
          jobImages: outputs.jobImages,
          expected,
          lookups,
          unchecked: checks.unchecked,
          artifacts: outputs.artifacts,
          ...(outputs.artifactsOmitted ? { artifactsOmitted: outputs.artifactsOmitted } : {}),
          artifactUrl: (id) => `${run.html_url}/artifacts/${id}`,
          logs: outputs.logs,
        });
    const report = retry ? { ...built, retry } : built;
    const outcome = await deps.comments.update(
      context.octokit,
      { ...repo, number: pull.number },
      (state) =>
        setRerunResult(
          applyRun(state, report, pull.headSha, configProblems),
          run.id,
          run.run_attempt - 1,
          planned?.rerunResult,
        ),
      log,
    );
    log.info(
      { pull: pull.number, outcome, images: report.images.length, artifacts: report.artifacts.length },
      "report comment",
    );
  }
  // Only now: the re-run job writes its outcome into these comments.
  if (rerun) await queueRerun(deps.queue, rerun, log);
}

/** The events a run must be of when no config says otherwise. */
const DEFAULT_EVENTS = parseDefaults().workflows.events;

function parseDefaults() {
  const defaults = parseConfig({});
  if (!defaults.ok) throw new Error("the built-in defaults do not satisfy the config schema");
  return defaults.config;
}
