import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { RepoSpec } from "./fake-github.js";

/**
 * Webhook payloads for tests: GitHub's own examples (`@octokit/webhooks-examples`) with the fields a
 * scenario needs changed, each checked against the webhook schemas (`@octokit/webhooks-schemas`).
 */
const require = createRequire(import.meta.url);
const examples = JSON.parse(
  readFileSync(require.resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8"),
) as { name: string; examples: Record<string, unknown>[] }[];
const schema = JSON.parse(readFileSync(require.resolve("@octokit/webhooks-schemas/schema.json"), "utf8")) as object;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

export function example(
  name: string,
  predicate: (e: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const found = examples.find((e) => e.name === name)?.examples.find(predicate);
  if (!found) throw new Error(`no webhook example for ${name}`);
  return structuredClone(found);
}

/** Throws, naming the first problems, when a payload does not match GitHub's webhook schema. */
export function assertValidPayload(definition: string, payload: unknown): void {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (ajv: Ajv) => void)(ajv);
    ajv.addSchema(schema, "webhooks");
  }
  let validate = validators.get(definition);
  if (!validate) {
    validate = ajv.compile({ $ref: `webhooks#/definitions/${definition}` });
    validators.set(definition, validate);
  }
  if (!validate(payload)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message ?? ""}`);
    throw new Error(`fixture is not a valid ${definition} payload: ${errors.join("; ")}`);
  }
}

/** `base` (a repository object of whichever shape) moved to another repository; only its own fields change. */
function repositoryPayload(base: Record<string, unknown>, repo: RepoSpec): Record<string, unknown> {
  const changes: Record<string, unknown> = {
    id: repo.id,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}`,
    owner: {
      ...(base.owner as object),
      login: repo.owner,
      id: repo.ownerId ?? repo.id + 1,
      type: repo.ownerType ?? "Organization",
    },
  };
  return { ...base, ...Object.fromEntries(Object.entries(changes).filter(([key]) => key in base)) };
}

export interface RunSpec {
  repo: RepoSpec;
  headRepo?: RepoSpec;
  id: number;
  attempt?: number;
  name?: string;
  path?: string;
  workflowId?: number;
  event?: string;
  conclusion?:
    | "success"
    | "failure"
    | "cancelled"
    | "timed_out"
    | "action_required"
    | "skipped"
    | "neutral"
    | "stale"
    | "startup_failure";
  headSha: string;
  headBranch: string;
  /** When the run was created; it completed at 2026-11-20T11:30:00Z unless `completedAt` says otherwise. */
  createdAt?: string;
  completedAt?: string;
  actor?: string;
  /** What GitHub puts in `pull_requests`: empty for forks. */
  pullRequests?: { number: number; headSha: string }[];
  installationId?: number;
}

export function workflowRunCompleted(spec: RunSpec): Record<string, unknown> {
  const base = example(
    "workflow_run",
    (e) =>
      e.action === "completed" &&
      Array.isArray((e.workflow_run as { pull_requests?: unknown[] }).pull_requests) &&
      "actor" in (e.workflow_run as object),
  );
  const run = base.workflow_run as Record<string, unknown>;
  const repository = repositoryPayload(base.repository as Record<string, unknown>, spec.repo);
  const headRepository = repositoryPayload(run.head_repository as Record<string, unknown>, spec.headRepo ?? spec.repo);
  const fullName = `${spec.repo.owner}/${spec.repo.name}`;
  const actor = { ...(run.actor as object), login: spec.actor ?? "contributor" };
  const payload = {
    ...base,
    repository,
    organization: undefined,
    installation: { id: spec.installationId ?? 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
    workflow: {
      ...(base.workflow as object),
      id: spec.workflowId ?? 77,
      name: spec.name ?? "CI",
      path: spec.path ?? ".github/workflows/ci.yml",
    },
    workflow_run: {
      ...run,
      id: spec.id,
      name: spec.name ?? "CI",
      path: spec.path ?? ".github/workflows/ci.yml",
      workflow_id: spec.workflowId ?? 77,
      run_attempt: spec.attempt ?? 1,
      run_number: spec.id % 1000,
      event: spec.event ?? "pull_request",
      status: "completed",
      conclusion: spec.conclusion ?? "success",
      head_sha: spec.headSha,
      head_branch: spec.headBranch,
      display_title: "A change",
      html_url: `https://github.com/${fullName}/actions/runs/${spec.id}`,
      repository: repositoryPayload(run.repository as Record<string, unknown>, spec.repo),
      head_repository: headRepository,
      actor,
      triggering_actor: actor,
      created_at: spec.createdAt ?? "2026-11-20T10:58:00Z",
      updated_at: spec.completedAt ?? "2026-11-20T11:30:00Z",
      pull_requests: (spec.pullRequests ?? []).map((pr) => ({
        id: 10_000 + pr.number,
        number: pr.number,
        url: `https://api.github.com/repos/${fullName}/pulls/${pr.number}`,
        head: {
          ref: spec.headBranch,
          sha: pr.headSha,
          repo: { id: spec.repo.id, name: spec.repo.name, url: `https://api.github.com/repos/${fullName}` },
        },
        base: {
          ref: "main",
          sha: "0".repeat(40),
          repo: { id: spec.repo.id, name: spec.repo.name, url: `https://api.github.com/repos/${fullName}` },
        },
      })),
    },
  };
  delete (payload as { organization?: unknown }).organization;
  assertValidPayload("workflow_run$completed", payload);
  return payload;
}

/** `pull_request.closed` for PR `number` of `repo`, closed at `closedAt`. */
export function pullRequestClosed(spec: {
  repo: RepoSpec;
  number: number;
  headSha: string;
  closedAt: string;
  merged?: boolean;
  installationId?: number;
}): Record<string, unknown> {
  const base = example("pull_request", (e) => e.action === "closed");
  const pull = base.pull_request as Record<string, unknown>;
  const payload = {
    ...base,
    number: spec.number,
    repository: repositoryPayload(base.repository as Record<string, unknown>, spec.repo),
    installation: { id: spec.installationId ?? 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
    pull_request: {
      ...pull,
      number: spec.number,
      state: "closed",
      closed_at: spec.closedAt,
      merged: spec.merged ?? true,
      merged_at: spec.merged === false ? null : spec.closedAt,
      head: { ...(pull.head as object), sha: spec.headSha },
    },
  };
  delete (payload as { organization?: unknown }).organization;
  assertValidPayload("pull_request$closed", payload);
  return payload;
}
