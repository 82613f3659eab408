import { createHash, createHmac, randomUUID } from "node:crypto";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { answerPullsQuery } from "./fake-graphql.js";
import { checkRequest, checkResponse, exampleResponse, type TokenKind } from "./openapi.js";
import { restVersions } from "./package-versions.js";

/**
 * A small stateful GitHub: repositories, pull requests, workflow runs with jobs, logs and artifacts,
 * issue comments. Every request it answers, and every answer it gives, is checked against GitHub's
 * OpenAPI description; problems are collected in `violations` and fail the test that caused them.
 */
export interface FakeRequest {
  method: string;
  url: URL;
  headers: Record<string, string | undefined>;
  body: unknown;
}
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** The request was carried out but its answer is lost: the HTTP server drops the connection. */
  drop?: boolean;
  /** With `drop`: how long the connection hangs first (a client with a shorter deadline times out). */
  hangMs?: number;
}

export interface RepoSpec {
  owner: string;
  name: string;
  id: number;
  ownerId?: number;
  ownerType?: "User" | "Organization";
  defaultBranch?: string;
}
export interface PullSpec {
  number: number;
  headRef: string;
  headSha: string;
  headRepo: RepoSpec;
  state?: "open" | "closed";
  closedAt?: string;
  user?: string;
}
export interface JobSpec {
  id: number;
  name: string;
  conclusion: "success" | "failure" | "cancelled" | "skipped" | null;
  steps?: { name: string; conclusion: string | null; number?: number }[];
  /** Bytes for a large log, so that it need not be a string on the heap of the process under test. */
  log?: string | Buffer;
}
export interface RunSpec {
  id: number;
  workflowId: number;
  headSha: string;
  headBranch: string;
  event?: string;
  attempt?: number;
  status?: "queued" | "in_progress" | "completed";
  conclusion?: string | null;
  createdAt?: string;
  /** False: GitHub answers a re-run with "cannot be retried". */
  retriable?: boolean;
}
export interface RerunRecord {
  runId: number;
  jobId?: number;
  /** The attempt the re-run created. */
  attempt: number;
}
export interface PackageSpec {
  owner: string;
  name: string;
  ownerKind?: "Organization" | "User";
  versions: PackageVersion[];
}
interface FakePackage extends PackageSpec {
  deleted: Map<number, { version: PackageVersion; at: number }>;
}
export interface ArtifactSpec {
  id: number;
  name: string;
  size_in_bytes: number;
  digest?: string | null;
  expired?: boolean;
  expires_at?: string;
}
export interface CommentRecord {
  id: number;
  body: string;
  appId: number | null;
  user: string;
  created_at: string;
  updated_at: string;
}
/** One attempt to deliver a webhook, as GitHub lists it under `GET /app/hook/deliveries`. */
export interface HookDeliveryRecord {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  throttled_at: null;
}
interface Fault {
  method: string;
  pattern: RegExp;
  times: number;
  /** The answer instead of the route's; "lost": the route answers, and the answer is dropped. */
  response: FakeResponse | "lost";
}

const APP = { id: 424242, slug: "dockhand-test" };

export class FakeGitHub {
  readonly app = APP;
  readonly violations: string[] = [];
  readonly requests: { method: string; path: string; status: number }[] = [];
  readonly repos = new Map<string, RepoSpec & { files: Map<string, string> }>();
  readonly pulls = new Map<string, PullSpec[]>();
  readonly jobs = new Map<string, JobSpec[]>();
  readonly artifacts = new Map<number, ArtifactSpec[]>();
  readonly comments = new Map<string, CommentRecord[]>();
  readonly runs = new Map<string, RunSpec[]>();
  readonly reruns: RerunRecord[] = [];
  /** Bytes of job logs served, ranges included. */
  logBytesServed = 0;
  readonly packages = new Map<string, FakePackage>();
  /** Installation-token calls to the Packages API, which GitHub refuses (`enabledForGitHubApps: false`). */
  readonly appTokenProbes: string[] = [];
  /** PRs (`owner/repo#n`) the token may not read: REST answers 403, GraphQL a FORBIDDEN error on the field. */
  readonly unreadablePulls = new Set<string>();
  /** Some organisations report app tokens working on packages; true simulates that. */
  packagesAcceptAppTokens = false;
  /** Called when a package version is deleted, e.g. to delete it from a real registry too. */
  onPackageDelete: ((pkg: PackageSpec, version: PackageVersion) => Promise<void>) | undefined;
  /** Times of package deletions, to check the write spacing. */
  readonly packageDeletes: { id: number; at: number }[] = [];
  /** Every attempt to deliver a webhook (`sendWebhook`, and redeliveries the app asks for), oldest first. */
  readonly hookDeliveries: HookDeliveryRecord[] = [];
  /** Where webhooks are sent (the app's webhook URL) and the secret they are signed with. */
  webhookTarget: { url: string; secret: string } | undefined;
  /** When an attempt is recorded as delivered (GitHub's clock); the real time unless a test moves it. */
  deliveryClock: () => number = () => Date.now();
  private readonly hookPayloads = new Map<string, { event: string; body: string }>();
  private readonly sending = new Set<Promise<unknown>>();
  private nextDeliveryId = 70_000_000;
  /**
   * Random faults on API requests, for load tests: a 502 or a secondary-rate-limit 403 before the
   * request is carried out; or after it was, the answer lost at once (`lost`) or after `hangMs`
   * (`timeout`). `random` makes them reproducible.
   */
  chaos: { rate: number; random: () => number; hangMs: number } | undefined;
  readonly chaosFaults: Record<"502" | "403" | "lost" | "timeout", number> = {
    "502": 0,
    "403": 0,
    lost: 0,
    timeout: 0,
  };
  private readonly gates: {
    method: string;
    pattern: RegExp;
    count: number;
    timeoutMs: number;
    waiting: (() => void)[];
  }[] = [];
  /** When set, package deletions closer together than this get GitHub's secondary rate limit 403. */
  minDeleteIntervalMs: number | undefined;
  secondaryRateLimited = 0;
  private readonly annotations = new Map<number, { message: string; level: "failure" | "warning" | "notice" }[]>();
  private readonly faults: Fault[] = [];
  private nextId = 9_000_000;
  private clock = Date.parse("2026-11-20T12:00:00Z");
  /** As bytes, encoded once: a test's 200 MB log is not copied per range request. */
  private readonly logsByJob = new Map<number, Buffer>();
  private readonly issuedTokens = new Set<string>();

  /** `apiUrl` is where Octokit sends API requests; logs are served from `logsUrl`. */
  constructor(
    readonly apiUrl = "https://api.github.com",
    readonly logsUrl = "https://results-receiver.actions.githubusercontent.com",
  ) {}

  addRepo(repo: RepoSpec): this {
    this.repos.set(`${repo.owner}/${repo.name}`, { ...repo, files: new Map() });
    return this;
  }
  setFile(fullName: string, path: string, content: string): this {
    const repo = this.repos.get(fullName) ?? this.addRepo(repoSpecFrom(fullName)).repos.get(fullName)!;
    repo.files.set(path, content);
    return this;
  }
  addPull(fullName: string, pull: PullSpec): this {
    const list = this.pulls.get(fullName) ?? [];
    this.pulls.set(fullName, [...list.filter((p) => p.number !== pull.number), pull]);
    return this;
  }
  setJobs(fullName: string, runId: number, attempt: number, jobs: JobSpec[]): this {
    // The log is kept as bytes only, so a large one does not sit on the JS heap of the process under test.
    this.jobs.set(
      `${fullName}/${runId}/${attempt}`,
      jobs.map(({ log: _log, ...job }) => job),
    );
    for (const job of jobs)
      if (job.log !== undefined)
        this.logsByJob.set(job.id, Buffer.isBuffer(job.log) ? job.log : Buffer.from(job.log, "utf8"));
    return this;
  }
  addRun(fullName: string, run: RunSpec): this {
    const list = this.runs.get(fullName) ?? [];
    this.runs.set(fullName, [
      ...list.filter((r) => r.id !== run.id),
      {
        event: "pull_request",
        attempt: 1,
        status: "completed",
        conclusion: "failure",
        createdAt: "2026-11-20T10:58:00Z",
        ...run,
      },
    ]);
    return this;
  }
  run(fullName: string, id: number): RunSpec | undefined {
    return this.runs.get(fullName)?.find((r) => r.id === id);
  }
  setAnnotations(jobId: number, annotations: { message: string; level: "failure" | "warning" | "notice" }[]): this {
    this.annotations.set(jobId, annotations);
    return this;
  }
  addPackage(spec: PackageSpec): this {
    this.packages.set(`${spec.owner}/${spec.name}`, { ownerKind: "Organization", ...spec, deleted: new Map() });
    return this;
  }
  packageVersions(owner: string, name: string): PackageVersion[] {
    return this.packages.get(`${owner}/${name}`)?.versions ?? [];
  }
  setArtifacts(runId: number, artifacts: ArtifactSpec[]): this {
    this.artifacts.set(runId, artifacts);
    return this;
  }
  addComment(fullName: string, issue: number, comment: Partial<CommentRecord> & { body: string }): CommentRecord {
    const record: CommentRecord = {
      id: this.nextId++,
      appId: null,
      user: "someone",
      created_at: this.now(),
      updated_at: this.now(),
      ...comment,
    };
    this.comments.set(`${fullName}#${issue}`, [...this.commentsOn(fullName, issue), record]);
    return record;
  }
  commentsOn(fullName: string, issue: number): CommentRecord[] {
    return this.comments.get(`${fullName}#${issue}`) ?? [];
  }
  /** The next `times` requests matching method and path pattern get this answer instead. */
  fail(method: string, pattern: RegExp, response: FakeResponse, times = 1): this {
    this.faults.push({ method: method.toUpperCase(), pattern, times, response });
    return this;
  }
  /**
   * Holds matching requests until `count` of them have arrived (or `timeoutMs` passed), then answers
   * them together: two replicas that read before either writes, unless something keeps them apart.
   */
  gate(method: string, pattern: RegExp, count: number, timeoutMs = 2000): this {
    this.gates.push({ method: method.toUpperCase(), pattern, count, timeoutMs, waiting: [] });
    return this;
  }
  private async passGate(request: FakeRequest): Promise<void> {
    const gate = this.gates.find(
      (g) => g.method === request.method.toUpperCase() && g.pattern.test(request.url.pathname) && g.count > 0,
    );
    if (!gate) return;
    await new Promise<void>((resolve) => {
      gate.waiting.push(resolve);
      const release = () => {
        gate.count = 0;
        for (const waiting of gate.waiting.splice(0)) waiting();
      };
      if (gate.waiting.length >= gate.count) release();
      else setTimeout(release, gate.timeoutMs);
    });
  }
  /** The next `times` matching requests are carried out, and their answers lost (the connection drops). */
  lose(method: string, pattern: RegExp, times = 1): this {
    this.faults.push({ method: method.toUpperCase(), pattern, times, response: "lost" });
    return this;
  }
  /**
   * Delivers a webhook to `webhookTarget` as GitHub does: signed, answered within 10 s or counted as
   * failed, and recorded in the delivery log (failed when the app did not answer 2xx or could not be
   * reached). A guid sent again is a redelivery.
   */
  async sendWebhook(
    event: string,
    payload: Record<string, unknown>,
    guid: string = randomUUID(),
  ): Promise<HookDeliveryRecord> {
    const body = JSON.stringify(payload);
    if (!this.hookPayloads.has(guid)) this.hookPayloads.set(guid, { event, body });
    return this.attemptDelivery(
      guid,
      this.hookDeliveries.some((d) => d.guid === guid),
    );
  }
  /** Resolves once every redelivery the app asked for has been attempted. */
  async deliveriesSettled(): Promise<void> {
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }
  private async attemptDelivery(guid: string, redelivery: boolean): Promise<HookDeliveryRecord> {
    const target = this.webhookTarget;
    const stored = this.hookPayloads.get(guid);
    if (!target || !stored) throw new Error("sendWebhook: no webhookTarget set, or an unknown guid");
    const started = Date.now();
    let status: string;
    let statusCode = 0;
    try {
      const response = await fetch(target.url, {
        method: "POST",
        body: stored.body,
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/fake",
          "x-github-event": stored.event,
          "x-github-delivery": guid,
          "x-hub-signature-256": `sha256=${createHmac("sha256", target.secret).update(stored.body).digest("hex")}`,
        },
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      statusCode = response.status;
      status = statusCode >= 200 && statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`;
    } catch (error) {
      status = (error as Error).name === "TimeoutError" ? "timed out" : "failed to connect to host";
    }
    const payload = JSON.parse(stored.body) as {
      action?: string;
      installation?: { id?: number };
      repository?: { id?: number };
    };
    const record: HookDeliveryRecord = {
      id: this.nextDeliveryId++,
      guid,
      delivered_at: new Date(this.deliveryClock()).toISOString(),
      redelivery,
      duration: (Date.now() - started) / 1000,
      status,
      status_code: statusCode,
      event: stored.event,
      action: payload.action ?? null,
      installation_id: payload.installation?.id ?? null,
      repository_id: payload.repository?.id ?? null,
      throttled_at: null,
    };
    this.hookDeliveries.push(record);
    return record;
  }
  countRequests(method: string, pattern: RegExp): number {
    return this.requests.filter((r) => r.method === method.toUpperCase() && pattern.test(r.path)).length;
  }

  async handle(request: FakeRequest): Promise<FakeResponse> {
    await this.passGate(request);
    const method = request.method.toUpperCase();
    const path = request.url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    if (request.url.href.startsWith(this.logsUrl)) return this.serveLog(request.url.pathname, request.headers);

    const token = tokenKind(request.headers.authorization, this.issuedTokens);
    // GitHub's GraphQL endpoint (GHES: /api/graphql) is not in the OpenAPI description: fake-graphql.ts checks it.
    const graphql = method === "POST" && /^\/(api\/)?graphql$/.test(path);
    const checked: ReturnType<typeof checkRequest> = graphql
      ? { problems: [] }
      : checkRequest({ method, path, query: request.url.searchParams, body: request.body, token });
    const { operation } = checked;
    // GitHub answers an app token on the Packages API with 403; Dockhand probes that on purpose.
    const appTokenOnPackages =
      token === "installation" &&
      operation !== undefined &&
      !operation.enabledForGitHubApps &&
      operation.template.includes("/packages/");
    const problems = appTokenOnPackages
      ? checked.problems.filter((p) => !p.includes("does not accept GitHub App installation tokens"))
      : checked.problems;
    this.violations.push(...problems);
    if (appTokenOnPackages && !this.packagesAcceptAppTokens) {
      this.appTokenProbes.push(`${method} ${path}`);
      this.requests.push({ method, path: `${path}${request.url.search}`, status: 403 });
      return {
        status: 403,
        body: {
          message: "Resource not accessible by integration",
          documentation_url: "https://docs.github.com/rest/packages/packages",
        },
      };
    }
    const chaos =
      this.chaos && this.chaos.random() < this.chaos.rate
        ? (["502", "403", "lost", "timeout"] as const)[Math.floor(this.chaos.random() * 4)]
        : undefined;
    if (chaos) this.chaosFaults[chaos] += 1;
    if (chaos === "502") return { status: 502, body: { message: "Server Error" } };
    if (chaos === "403") return secondaryRateLimit("0", "https://docs.github.com/rest");
    const fault = this.faults.find((f) => f.method === method && f.pattern.test(path) && f.times > 0);
    let response: FakeResponse;
    if (fault) fault.times -= 1;
    if (fault && fault.response !== "lost") {
      response = fault.response;
    } else if (graphql) {
      response = this.answerGraphql(token, request.body);
    } else if (!operation || problems.length > 0) {
      response = { status: 400, body: { message: problems.join("; ") || "unknown route" } };
    } else {
      response = await this.route(method, operation.template, path, request);
    }
    if (
      operation &&
      (!fault || fault.response === "lost") &&
      typeof response.body === "object" &&
      response.body !== null
    ) {
      this.violations.push(...checkResponse(operation, response.status, response.body));
    }
    this.requests.push({ method, path: `${path}${request.url.search}`, status: response.status });
    if (chaos === "timeout") return { ...response, drop: true, hangMs: this.chaos?.hangMs ?? 0 };
    return chaos === "lost" || fault?.response === "lost" ? { ...response, drop: true } : response;
  }

  /** Pull request states by number, the one query Dockhand sends (see fake-graphql.ts); anything else is refused. */
  private answerGraphql(token: TokenKind, body: unknown): FakeResponse {
    if (token === "none" || token === "app-jwt") {
      this.violations.push(`POST /graphql with ${token === "none" ? "no token" : "an app JWT"}`);
      return { status: 401, body: { message: "This endpoint requires you to be authenticated." } };
    }
    const { answer, problem } = answerPullsQuery(body, (owner, name) => {
      const fullName = `${owner}/${name}`;
      if (!this.repos.has(fullName) && !this.pulls.has(fullName)) return undefined;
      return (number) => {
        if (this.unreadablePulls.has(`${fullName}#${number}`)) return "forbidden";
        const pull = this.pulls.get(fullName)?.find((p) => p.number === number);
        if (!pull) return undefined;
        return {
          number,
          state: (pull.state ?? "open") === "open" ? "OPEN" : "CLOSED",
          closedAt: pull.closedAt ?? null,
          mergedAt: null,
        };
      };
    });
    if (problem) this.violations.push(problem);
    return { status: 200, body: answer };
  }

  private async route(method: string, template: string, path: string, request: FakeRequest): Promise<FakeResponse> {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const fullName = `${parts[1]}/${parts[2]}`;
    const query = request.url.searchParams;
    switch (`${method} ${template}`) {
      case "GET /app":
        return { status: 200, body: this.appObject() };
      case "POST /app/installations/{installation_id}/access_tokens": {
        const token = `ghs_fake${this.nextId++}`;
        this.issuedTokens.add(token);
        const body = exampleResponse<Record<string, unknown>>("POST", path, 201);
        return { status: 201, body: { ...body, token, expires_at: new Date(this.clock + 3_600_000).toISOString() } };
      }
      case "GET /repos/{owner}/{repo}/contents/{path}": {
        const filePath = parts.slice(4).join("/");
        const file = this.repos.get(fullName)?.files.get(filePath);
        if (file === undefined) return notFound();
        if (/\bvnd\.github(\.v3)?\.raw\b/.test(request.headers.accept ?? ""))
          return { status: 200, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" }, body: file };
        return { status: 200, body: this.contentFileObject(fullName, filePath, file) };
      }
      case "GET /repos/{owner}/{repo}/pulls": {
        const head = query.get("head") ?? ":";
        const headOwner = head.slice(0, head.indexOf(":"));
        const headRef = head.slice(head.indexOf(":") + 1);
        const state = query.get("state") ?? "open";
        const pulls = (this.pulls.get(fullName) ?? []).filter(
          (p) =>
            (state === "all" || (p.state ?? "open") === state) &&
            (!query.has("head") || (p.headRepo.owner === headOwner && p.headRef === headRef)),
        );
        return this.paginate(
          request.url,
          pulls.map((p) => this.pullObject(fullName, p)),
        );
      }
      case "GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs": {
        const jobs = this.jobs.get(`${fullName}/${parts[5]}/${parts[7]}`) ?? [];
        const page = this.paginate(
          request.url,
          jobs.map((j) => this.jobObject(fullName, Number(parts[5]), Number(parts[7]), j)),
        );
        return { ...page, body: { total_count: jobs.length, jobs: page.body } };
      }
      case "GET /app/installations": {
        const owners = [...new Set([...this.repos.values()].map((r) => r.owner))];
        const base = exampleResponse<Record<string, unknown>[]>("GET", "/app/installations")[0] ?? {};
        return this.paginate(
          request.url,
          owners.slice(0, 1).map((owner) => ({
            ...base,
            id: 1,
            account: { ...(base.account as object), login: owner },
            app_id: APP.id,
            app_slug: APP.slug,
          })),
        );
      }
      case "GET /installation/repositories": {
        const repos = [...this.repos.values()];
        const page = this.paginate(
          request.url,
          repos.map((r) => this.repoObject(r)),
        );
        return { ...page, body: { total_count: repos.length, repositories: page.body } };
      }
      case "GET /users/{username}": {
        const login = parts[1] ?? "";
        const pkg = [...this.packages.values()].find((p) => p.owner.toLowerCase() === login.toLowerCase());
        const repo = [...this.repos.values()].find((r) => r.owner.toLowerCase() === login.toLowerCase());
        const type = pkg?.ownerKind ?? repo?.ownerType ?? "Organization";
        const base = exampleResponse<Record<string, unknown>>("GET", "/users/octocat");
        return { status: 200, body: { ...base, login, type } };
      }
      case "GET /orgs/{org}/packages/{package_type}/{package_name}/versions":
      case "GET /users/{username}/packages/{package_type}/{package_name}/versions": {
        const pkg = this.packages.get(`${parts[1]}/${parts[4]}`);
        if (!pkg) return notFound();
        const page = this.paginate(request.url, pkg.versions);
        return { ...page, body: restVersions(page.body, pkg.owner, pkg.name) };
      }
      case "DELETE /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}":
      case "DELETE /users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}": {
        const pkg = this.packages.get(`${parts[1]}/${parts[4]}`);
        const id = Number(parts[6]);
        const version = pkg?.versions.find((v) => v.id === id);
        if (!pkg || !version) return notFound();
        const last = this.packageDeletes.at(-1)?.at;
        if (
          this.minDeleteIntervalMs !== undefined &&
          last !== undefined &&
          Date.now() - last < this.minDeleteIntervalMs
        ) {
          this.secondaryRateLimited += 1;
          return secondaryRateLimit("1", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
        }
        if (pkg.versions.length === 1)
          return {
            status: 400,
            body: {
              message: "You cannot delete the last version of a package. You must delete the package instead.",
              documentation_url: "https://docs.github.com/rest",
            },
          };
        await this.onPackageDelete?.(pkg, version);
        pkg.versions = pkg.versions.filter((v) => v.id !== id);
        pkg.deleted.set(id, { version, at: this.clock });
        this.packageDeletes.push({ id, at: Date.now() });
        return { status: 204 };
      }
      case "POST /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore":
      case "POST /users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore": {
        const pkg = this.packages.get(`${parts[1]}/${parts[4]}`);
        const deleted = pkg?.deleted.get(Number(parts[6]));
        if (!pkg || !deleted) return notFound();
        pkg.deleted.delete(deleted.version.id);
        pkg.versions = [...pkg.versions, deleted.version];
        return { status: 204 };
      }
      case "GET /repos/{owner}/{repo}/pulls/{pull_number}": {
        if (this.unreadablePulls.has(`${fullName}#${parts[4]}`))
          return { status: 403, body: { message: "Resource not accessible by integration" } };
        const pull = (this.pulls.get(fullName) ?? []).find((p) => p.number === Number(parts[4]));
        if (!pull) return notFound();
        const full = exampleResponse<Record<string, unknown>>("GET", "/repos/o/r/pulls/1");
        const pick = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, full[k]]));
        return {
          status: 200,
          body: {
            ...pick([
              "additions",
              "changed_files",
              "comments",
              "commits",
              "deletions",
              "review_comments",
              "maintainer_can_modify",
              "mergeable",
              "mergeable_state",
              "merged",
              "merged_by",
              "rebaseable",
            ]),
            ...this.pullObject(fullName, pull),
          },
        };
      }
      case "GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations": {
        const list = this.annotations.get(Number(parts[4])) ?? [];
        return this.paginate(
          request.url,
          list.map((a, index) => this.annotationObject(fullName, a, index)),
        );
      }
      case "GET /repos/{owner}/{repo}/actions/runs/{run_id}": {
        const run = this.run(fullName, Number(parts[5]));
        return run ? { status: 200, body: this.runObject(fullName, run) } : notFound();
      }
      case "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs": {
        const runs = (this.runs.get(fullName) ?? [])
          .filter((r) => String(r.workflowId) === parts[5])
          .filter((r) => !query.has("branch") || r.headBranch === query.get("branch"))
          .filter((r) => !query.has("event") || r.event === query.get("event"))
          .sort((a, b) => b.id - a.id);
        const page = this.paginate(
          request.url,
          runs.map((r) => this.runObject(fullName, r)),
        );
        return { ...page, body: { total_count: runs.length, workflow_runs: page.body } };
      }
      case "POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs":
        return this.rerun(fullName, this.run(fullName, Number(parts[5])));
      case "POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun": {
        const jobId = Number(parts[5]);
        const key = [...this.jobs].find(
          ([k, jobs]) => k.startsWith(`${fullName}/`) && jobs.some((j) => j.id === jobId),
        )?.[0];
        return this.rerun(fullName, key ? this.run(fullName, Number(key.split("/")[2])) : undefined, jobId);
      }
      case "GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs": {
        if (!this.logsByJob.has(Number(parts[5]))) return notFound();
        return { status: 302, headers: { location: `${this.logsUrl}/logs/${parts[5]}?sig=fake` } };
      }
      case "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts": {
        const artifacts = this.artifacts.get(Number(parts[5])) ?? [];
        const page = this.paginate(
          request.url,
          artifacts.map((a) => this.artifactObject(fullName, Number(parts[5]), a)),
        );
        return { ...page, body: { total_count: artifacts.length, artifacts: page.body } };
      }
      case "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": {
        const comments = this.commentsOn(fullName, Number(parts[4]));
        return this.paginate(
          request.url,
          comments.map((c) => this.commentObject(fullName, Number(parts[4]), c)),
        );
      }
      case "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": {
        const body = (request.body as { body: string }).body;
        const record = this.addComment(fullName, Number(parts[4]), {
          body,
          appId: this.appIdFor(request),
          user: `${APP.slug}[bot]`,
        });
        return { status: 201, body: this.commentObject(fullName, Number(parts[4]), record) };
      }
      case "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}": {
        const found = this.findComment(fullName, Number(parts[5]));
        if (!found) return notFound();
        found.record.body = (request.body as { body: string }).body;
        found.record.updated_at = this.now();
        return { status: 200, body: this.commentObject(fullName, found.issue, found.record) };
      }
      case "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}": {
        const found = this.findComment(fullName, Number(parts[5]));
        if (!found) return notFound();
        const key = `${fullName}#${found.issue}`;
        this.comments.set(
          key,
          this.commentsOn(fullName, found.issue).filter((c) => c !== found.record),
        );
        return { status: 204 };
      }
      case "GET /app/hook/deliveries": {
        // Newest first; the cursor names the last attempt of the page before (GitHub's is opaque too).
        const perPage = Number(query.get("per_page") ?? 30);
        const after = /^v1_(\d+)$/.exec(query.get("cursor") ?? "")?.[1];
        const wanted = query.get("status");
        const listed = [...this.hookDeliveries]
          .reverse()
          .filter((d) => after === undefined || d.id < Number(after))
          .filter(
            (d) =>
              wanted === null ||
              (wanted === "success") === (d.status_code >= 200 && d.status_code < 400 && d.status_code !== 0),
          );
        const page = listed.slice(0, perPage);
        const headers: Record<string, string> = {};
        if (listed.length > perPage) {
          const next = new URLSearchParams({ per_page: String(perPage), cursor: `v1_${page.at(-1)!.id}` });
          if (wanted !== null) next.set("status", wanted);
          headers.link = `<${this.apiUrl}/app/hook/deliveries?${next.toString()}>; rel="next"`;
        }
        return { status: 200, headers, body: page };
      }
      case "GET /app/hook/deliveries/{delivery_id}": {
        const found = this.hookDeliveries.find((d) => d.id === Number(parts[3]));
        if (!found) return notFound();
        const stored = this.hookPayloads.get(found.guid)!;
        return {
          status: 200,
          body: {
            ...found,
            url: this.webhookTarget?.url ?? "",
            request: {
              headers: { "X-GitHub-Delivery": found.guid, "X-GitHub-Event": found.event },
              payload: JSON.parse(stored.body) as object,
            },
            response: { headers: {}, payload: null },
          },
        };
      }
      case "POST /app/hook/deliveries/{delivery_id}/attempts": {
        const found = this.hookDeliveries.find((d) => d.id === Number(parts[3]));
        if (!found) return notFound();
        // GitHub takes the request and delivers later (not at all while there is no target: not yet).
        if (this.webhookTarget) {
          const sent = this.attemptDelivery(found.guid, true).finally(() => this.sending.delete(sent));
          this.sending.add(sent);
        }
        return { status: 202, body: {} };
      }
      default:
        this.violations.push(`${method} ${template}: the fake does not implement this operation`);
        return { status: 501, body: { message: "not implemented by the fake" } };
    }
  }

  /** GitHub's re-run rules: only finished runs, within 30 days, while re-runs remain. */
  private rerun(fullName: string, run: RunSpec | undefined, jobId?: number): FakeResponse {
    if (!run) return notFound();
    if (run.status !== "completed") return forbidden("This workflow is already running");
    if (Date.parse(run.createdAt ?? "") < this.clock - 30 * 24 * 3600 * 1000) {
      return forbidden("Unable to retry this workflow run because it was created over a month ago");
    }
    if (run.retriable === false || (run.attempt ?? 1) >= 50) return forbidden("This workflow run cannot be retried");
    run.attempt = (run.attempt ?? 1) + 1;
    run.status = "queued";
    run.conclusion = null;
    this.reruns.push({ runId: run.id, ...(jobId !== undefined ? { jobId } : {}), attempt: run.attempt });
    return { status: 201, body: {} };
  }

  private serveLog(path: string, headers: Record<string, string | undefined>): FakeResponse {
    const log = this.logsByJob.get(Number(/\/logs\/(\d+)$/.exec(path)?.[1]));
    this.requests.push({ method: "GET", path: `logs:${path}`, status: log === undefined ? 404 : 200 });
    if (log === undefined) return { status: 404, body: "" };
    const bytes = log;
    const range = /^bytes=(\d*)-(\d*)$/.exec(headers.range ?? "");
    if (!range) {
      this.logBytesServed += bytes.length;
      return { status: 200, headers: { "content-type": "text/plain" }, body: log.toString("utf8") };
    }
    const start = range[1] === "" ? Math.max(0, bytes.length - Number(range[2])) : Number(range[1]);
    const end = range[1] === "" || range[2] === "" ? bytes.length - 1 : Math.min(Number(range[2]), bytes.length - 1);
    this.logBytesServed += end + 1 - start;
    return {
      status: 206,
      headers: { "content-type": "text/plain", "content-range": `bytes ${start}-${end}/${bytes.length}` },
      body: bytes.subarray(start, end + 1).toString("utf8"),
    };
  }

  private paginate<T>(url: URL, items: T[]): FakeResponse & { body: T[] } {
    const perPage = Number(url.searchParams.get("per_page") ?? 30);
    const page = Number(url.searchParams.get("page") ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      const last = new URL(url);
      last.searchParams.set("page", String(Math.ceil(items.length / perPage)));
      const link = (u: URL) => `${this.apiUrl}${u.pathname.replace(/^\/api\/v3/, "")}${u.search}`;
      // GitHub names the last page too, so a client can fetch the pages in between at once.
      headers.link = `<${link(next)}>; rel="next", <${link(last)}>; rel="last"`;
    }
    return { status: 200, headers, body: slice };
  }

  private findComment(fullName: string, id: number): { issue: number; record: CommentRecord } | undefined {
    for (const [key, list] of this.comments) {
      if (!key.startsWith(`${fullName}#`)) continue;
      const record = list.find((c) => c.id === id);
      if (record) return { issue: Number(key.split("#")[1]), record };
    }
    return undefined;
  }

  private appIdFor(request: FakeRequest): number | null {
    return tokenKind(request.headers.authorization, this.issuedTokens) === "installation" ? APP.id : null;
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  private appObject(): Record<string, unknown> {
    return {
      ...exampleResponse<Record<string, unknown>>("GET", "/app"),
      id: APP.id,
      slug: APP.slug,
      name: "Dockhand (test)",
    };
  }

  /** The Contents API's JSON form: like GitHub, the content is inlined (base64, 60-column lines) only up to 1 MB. */
  private contentFileObject(fullName: string, path: string, text: string): Record<string, unknown> {
    const bytes = Buffer.from(text, "utf8");
    const inline = bytes.length <= 1024 * 1024;
    const sha = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
    const url = `${this.apiUrl}/repos/${fullName}/contents/${path}`;
    const git = `${this.apiUrl}/repos/${fullName}/git/blobs/${sha}`;
    const html = `https://github.com/${fullName}/blob/main/${path}`;
    return {
      type: "file",
      encoding: inline ? "base64" : "none",
      size: bytes.length,
      name: path.split("/").pop(),
      path,
      content: inline ? (bytes.toString("base64").match(/.{1,60}/g) ?? []).join("\n") : "",
      sha,
      url,
      git_url: git,
      html_url: html,
      download_url: `https://raw.githubusercontent.com/${fullName}/main/${path}`,
      _links: { self: url, git, html },
    };
  }
  private repoObject(repo: RepoSpec): Record<string, unknown> {
    const base = exampleResponse<Record<string, unknown>>("GET", "/repos/o/r");
    return {
      ...base,
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: {
        ...(base.owner as object),
        login: repo.owner,
        id: repo.ownerId ?? repo.id + 1,
        type: repo.ownerType ?? "Organization",
      },
      fork: false,
      language: (base.language as string | undefined) ?? null,
    };
  }

  private pullObject(fullName: string, pull: PullSpec): Record<string, unknown> {
    const base = exampleResponse<Record<string, unknown>[]>("GET", "/repos/o/r/pulls")[0]!;
    const baseRepo = this.repos.get(fullName) ?? repoSpecFrom(fullName);
    return {
      ...base,
      id: 10_000 + pull.number,
      number: pull.number,
      state: pull.state ?? "open",
      closed_at: pull.closedAt ?? null,
      requested_teams: [],
      user: { ...(base.user as object), login: pull.user ?? "contributor" },
      head: {
        ...(base.head as object),
        ref: pull.headRef,
        sha: pull.headSha,
        label: `${pull.headRepo.owner}:${pull.headRef}`,
        repo: this.repoObject(pull.headRepo),
      },
      base: { ...(base.base as object), ref: baseRepo.defaultBranch ?? "main", repo: this.repoObject(baseRepo) },
      html_url: `https://github.com/${fullName}/pull/${pull.number}`,
    };
  }

  private jobObject(fullName: string, runId: number, attempt: number, job: JobSpec): Record<string, unknown> {
    const base = exampleResponse<{ jobs: Record<string, unknown>[] }>(
      "GET",
      "/repos/o/r/actions/runs/1/attempts/1/jobs",
    ).jobs[0]!;
    return {
      ...base,
      id: job.id,
      run_id: runId,
      run_attempt: attempt,
      name: job.name,
      status: "completed",
      conclusion: job.conclusion,
      created_at: "2026-11-20T10:59:00Z",
      html_url: `https://github.com/${fullName}/actions/runs/${runId}/job/${job.id}`,
      check_run_url: `${this.apiUrl}/repos/${fullName}/check-runs/${job.id}`,
      steps: (job.steps ?? []).map((s, index) => ({
        name: s.name,
        status: "completed",
        conclusion: s.conclusion,
        number: s.number ?? index + 1,
        started_at: "2026-11-20T11:00:00Z",
        completed_at: "2026-11-20T11:01:00Z",
      })),
    };
  }

  private runObject(fullName: string, run: RunSpec): Record<string, unknown> {
    const base = exampleResponse<Record<string, unknown>>("GET", "/repos/o/r/actions/runs/1");
    return {
      ...base,
      id: run.id,
      workflow_id: run.workflowId,
      head_sha: run.headSha,
      head_branch: run.headBranch,
      event: run.event,
      run_attempt: run.attempt,
      status: run.status,
      conclusion: run.conclusion,
      created_at: run.createdAt,
      html_url: `https://github.com/${fullName}/actions/runs/${run.id}`,
      pull_requests: [],
    };
  }

  private annotationObject(
    fullName: string,
    annotation: { message: string; level: string },
    index: number,
  ): Record<string, unknown> {
    return {
      path: ".github",
      blob_href: `https://github.com/${fullName}/blob/main/.github`,
      start_line: index + 1,
      end_line: index + 1,
      start_column: null,
      end_column: null,
      annotation_level: annotation.level,
      title: "",
      message: annotation.message,
      raw_details: null,
    };
  }

  private artifactObject(fullName: string, runId: number, artifact: ArtifactSpec): Record<string, unknown> {
    const base = exampleResponse<{ artifacts: Record<string, unknown>[] }>("GET", "/repos/o/r/actions/runs/1/artifacts")
      .artifacts[0]!;
    return {
      ...base,
      id: artifact.id,
      name: artifact.name,
      size_in_bytes: artifact.size_in_bytes,
      digest: artifact.digest ?? null,
      expired: artifact.expired ?? false,
      expires_at: artifact.expires_at ?? "2026-11-27T12:00:00Z",
      archive_download_url: `${this.apiUrl}/repos/${fullName}/actions/artifacts/${artifact.id}/zip`,
      workflow_run: { ...(base.workflow_run as object), id: runId },
    };
  }

  private commentObject(fullName: string, issue: number, comment: CommentRecord): Record<string, unknown> {
    const base = exampleResponse<Record<string, unknown>>("GET", "/repos/o/r/issues/comments/1");
    return {
      ...base,
      id: comment.id,
      body: comment.body,
      user: { ...(base.user as object), login: comment.user, type: comment.appId ? "Bot" : "User" },
      created_at: comment.created_at,
      updated_at: comment.updated_at,
      html_url: `https://github.com/${fullName}/pull/${issue}#issuecomment-${comment.id}`,
      issue_url: `${this.apiUrl}/repos/${fullName}/issues/${issue}`,
      performed_via_github_app: comment.appId === null ? null : { ...this.appObject(), id: comment.appId },
    };
  }
}

function notFound(): FakeResponse {
  return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
}

function forbidden(message: string): FakeResponse {
  return { status: 403, body: { message, documentation_url: "https://docs.github.com/rest/actions/workflow-runs" } };
}

function repoSpecFrom(fullName: string): RepoSpec {
  const [owner = "", name = ""] = fullName.split("/");
  return { owner, name, id: 1 };
}

function tokenKind(authorization: string | undefined, issued: Set<string>): TokenKind {
  if (!authorization) return "none";
  const [scheme = "", value = ""] = authorization.split(" ");
  if (scheme.toLowerCase() === "bearer" && value.split(".").length === 3) return "app-jwt";
  if (issued.has(value)) return "installation";
  return "pat";
}

/** GitHub's answer when a secondary rate limit is hit: 403, retry-after, and its message. */
function secondaryRateLimit(retryAfterSeconds: string, documentationUrl: string): FakeResponse {
  return {
    status: 403,
    headers: { "retry-after": retryAfterSeconds },
    body: {
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      documentation_url: documentationUrl,
    },
  };
}
