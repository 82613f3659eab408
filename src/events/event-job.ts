/** A webhook delivery, queued by the webhook path and handled by a worker. */
export interface EventJob {
  name: string;
  delivery: string;
  installationId: number;
  payload: unknown;
}

export const EVENT_JOB = "event";

interface Identifiable {
  repository?: { id?: unknown };
  workflow_run?: { id?: unknown; run_attempt?: unknown };
  pull_request?: { number?: unknown; closed_at?: unknown };
}

/**
 * The id of the work a delivery stands for, so that the same work is queued once however many times
 * GitHub delivers it (redeliveries keep their id; a second replica may get the same one): a run
 * attempt, or one close of a PR. Anything else is keyed by its delivery id.
 */
export function eventJobId(name: string, payload: unknown, delivery: string): string {
  const p = (payload ?? {}) as Identifiable;
  const repo = String(p.repository?.id ?? "?");
  if (name === "workflow_run.completed" && p.workflow_run) return `event:workflow_run:${repo}:${String(p.workflow_run.id)}:${String(p.workflow_run.run_attempt)}`;
  if (name === "pull_request.closed" && p.pull_request) return `event:pull_request.closed:${repo}#${String(p.pull_request.number)}@${String(p.pull_request.closed_at)}`;
  return `event:delivery:${delivery}`;
}
