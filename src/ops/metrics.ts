import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Octokit } from "../github/octokit.js";

/** What operators watch: deliveries, jobs, GitHub requests and rate limits, and what Dockhand did. */
export class Metrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({
    name: "dockhand_webhook_deliveries_total",
    help: "Webhook deliveries received, by event.",
    labelNames: ["event"],
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: "dockhand_jobs_total",
    help: "Queued jobs run, by kind and outcome (done, retry, rate-limited, failed).",
    labelNames: ["kind", "outcome"],
    registers: [this.registry],
  });
  readonly jobSeconds = new Histogram({
    name: "dockhand_job_duration_seconds",
    help: "How long queued jobs ran, by kind.",
    labelNames: ["kind"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly githubRequests = new Counter({
    name: "dockhand_github_requests_total",
    help: "GitHub REST requests, by route template, method and status.",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  readonly rateLimitRemaining = new Gauge({
    name: "dockhand_github_rate_limit_remaining",
    help: "x-ratelimit-remaining of the latest GitHub answer, by resource.",
    labelNames: ["resource"],
    registers: [this.registry],
  });
  readonly reruns = new Counter({
    name: "dockhand_reruns_total",
    help: "Re-runs GitHub accepted, by kind (failed-jobs, job).",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly retryOutcomes = new Counter({
    name: "dockhand_retry_outcomes_total",
    help: "Re-runs Dockhand requested, by how the next attempt ended (fixed, failed-same, failed-different) and the rule that called the failure transient (a built-in rule id; `repository` for a repository's own rules).",
    labelNames: ["rule", "outcome"],
    registers: [this.registry],
  });
  readonly versionsPruned = new Counter({
    name: "dockhand_versions_pruned_total",
    help: "Package versions deleted.",
    registers: [this.registry],
  });
  readonly deliveriesFailed = new Counter({
    name: "dockhand_deliveries_failed_total",
    help: "Webhook deliveries GitHub lists as never delivered (every attempt failed), of events Dockhand handles; each counted once.",
    registers: [this.registry],
  });
  readonly redeliveriesRequested = new Counter({
    name: "dockhand_redeliveries_requested_total",
    help: "Redeliveries Dockhand asked GitHub for (POST /app/hook/deliveries/{id}/attempts accepted).",
    registers: [this.registry],
  });
  readonly deliveriesRecovered = new Counter({
    name: "dockhand_deliveries_recovered_total",
    help: "Failed deliveries that GitHub delivered after Dockhand asked for them again; each counted once.",
    registers: [this.registry],
  });
  readonly commentsWritten = new Counter({
    name: "dockhand_comments_written_total",
    help: "PR comments written, by action (created, updated).",
    labelNames: ["action"],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "dockhand_" });
  }

  /** Counts an Octokit's requests, and what they did, from its request hook; every Octokit Dockhand uses goes through here. */
  instrument<T extends Octokit>(octokit: T): T {
    octokit.hook.after("request", (response, options) => {
      this.recordRequest(
        options.method,
        String(options.url),
        response.status,
        response.headers as Record<string, string | undefined>,
      );
    });
    octokit.hook.error("request", (error, options) => {
      const failure = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
      this.recordRequest(options.method, String(options.url), failure.status ?? 0, failure.response?.headers ?? {});
      throw error;
    });
    return octokit;
  }

  private recordRequest(
    method: string,
    route: string,
    status: number,
    headers: Record<string, string | undefined>,
  ): void {
    // Templates (`/repos/{owner}/{repo}/…`) keep the label set small; a full URL (a paginated next page) is cut to its path.
    const template = route.startsWith("http") ? new URL(route).pathname.replace(/\/\d+(?=\/|$)/g, "/{id}") : route;
    this.githubRequests.inc({ method, route: template, status: String(status) });
    const remaining = headers["x-ratelimit-remaining"];
    if (remaining !== undefined)
      this.rateLimitRemaining.set({ resource: headers["x-ratelimit-resource"] ?? "core" }, Number(remaining));
    if (status < 200 || status >= 300) return;
    if (method === "POST" && route.endsWith("/rerun-failed-jobs")) this.reruns.inc({ kind: "failed-jobs" });
    else if (method === "POST" && route.endsWith("/jobs/{job_id}/rerun")) this.reruns.inc({ kind: "job" });
    else if (method === "DELETE" && route.includes("/packages/") && route.endsWith("/versions/{package_version_id}"))
      this.versionsPruned.inc();
    else if (method === "POST" && route.endsWith("/issues/{issue_number}/comments"))
      this.commentsWritten.inc({ action: "created" });
    else if (method === "PATCH" && route.endsWith("/issues/comments/{comment_id}"))
      this.commentsWritten.inc({ action: "updated" });
  }
}
