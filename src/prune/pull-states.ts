import { isTransientError, rateLimitDelay, statusOf, type Octokit, type RepoRef } from "../github/octokit.js";
import type { PruneConfig } from "../config/schema.js";
import { mapLimit } from "../util/map-limit.js";
import { toPullState, type PackageVersion, type PullState } from "./package-version.js";
import { compilePruneRules } from "./tag-rules.js";

/** A PR whose state could not be read, and GitHub's answer; its tags stay (the plan's `unknown-pr`). */
export interface UnreadPull {
  number: number;
  status: number;
}

/**
 * PRs asked for in one GraphQL query. Each is a field, not a connection, so the query holds no nodes
 * against GitHub's 500,000 and costs the minimum, 1 point; 100 keeps the query and its answer small.
 */
export const PULLS_PER_QUERY = 100;
/** GraphQL's Int is 32 bits: a larger number in a query fails the whole query, and no PR has one. */
const GRAPHQL_INT_MAX = 2 ** 31 - 1;

interface GraphqlPull {
  number: number;
  state: string;
  closedAt: string | null;
}

interface GraphqlError {
  type?: string;
  path?: (string | number)[];
  message?: string;
}

/**
 * The state of every PR whose number a version's tag carries, read 100 a GraphQL query (through the
 * same Octokit, so its pacing, deadline and retry policy apply). A PR GitHub says does not exist
 * (`NOT_FOUND`, REST's 404) stays unknown, and its tags are kept; `onUnread` hears of each. Where
 * GraphQL cannot answer (the request refused, or a PR's field failed otherwise) those PRs are read one
 * by one over REST, whose answers in `unread` (by default only 404) count as unknown. Any other
 * failure, a rate limit included, is thrown (the app's job is tried again).
 */
export async function pullStatesFor(
  octokit: Octokit,
  repo: RepoRef,
  versions: PackageVersion[],
  config: PruneConfig,
  options: { unread?: readonly number[]; onUnread?: (pull: UnreadPull) => void } = {},
): Promise<PullState[]> {
  const unread = options.unread ?? [404];
  const rules = compilePruneRules(config);
  const numbers = [
    ...new Set(
      versions.flatMap((v) => v.tags.map((tag) => rules.pullOf(tag)).filter((n): n is number => n !== undefined)),
    ),
  ];
  const states: PullState[] = [];
  const notFound = (number: number) => options.onUnread?.({ number, status: 404 });
  const askable = (n: number) => Number.isSafeInteger(n) && n >= 1 && n <= GRAPHQL_INT_MAX;
  for (const n of numbers) if (!askable(n)) notFound(n);
  const queried = numbers.filter(askable);
  const single: number[] = [];
  let graphqlRefused = false;
  for (let start = 0; start < queried.length; start += PULLS_PER_QUERY) {
    const batch = queried.slice(start, start + PULLS_PER_QUERY);
    const answer = graphqlRefused ? undefined : await queryPulls(octokit, repo, batch);
    if (!answer) {
      graphqlRefused = true;
      single.push(...batch);
      continue;
    }
    for (const number of batch) {
      const result = answer(number);
      if (result === "not-found") notFound(number);
      else if (result === "ask-rest") single.push(number);
      else states.push(toPullState({ number, state: result.state, closed_at: result.closedAt }));
    }
  }
  const read = await mapLimit(single, 4, async (number) => {
    try {
      return toPullState((await octokit.rest.pulls.get({ ...repo, pull_number: number })).data);
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || !unread.includes(status)) throw error;
      options.onUnread?.({ number, status });
      return undefined;
    }
  });
  return [...states, ...read.filter((s): s is PullState => s !== undefined)];
}

type PullAnswer = { state: "open" | "closed"; closedAt: string | null } | "not-found" | "ask-rest";

/**
 * One query for `numbers`; what GitHub said of each, or undefined when the query itself was refused
 * for a lasting reason (401, 403, 404: e.g. a server or token without GraphQL), so REST is asked.
 */
async function queryPulls(
  octokit: Octokit,
  repo: RepoRef,
  numbers: number[],
): Promise<((number: number) => PullAnswer) | undefined> {
  // Numbers are checked integers, so they are written into the query as literals: one alias each.
  const fields = numbers.map((n) => `p${n}: pullRequest(number: ${n}) { number state closedAt }`).join(" ");
  const query = `query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields} } }`;
  let data: { repository?: Record<string, GraphqlPull | null> | null } | undefined;
  let errors: GraphqlError[] = [];
  try {
    data = await octokit.graphql<typeof data>(query, { owner: repo.owner, name: repo.repo });
  } catch (error) {
    const answer = graphqlAnswerOf(error);
    if (!answer) {
      if (isTransientError(error) || statusOf(error) === undefined) throw error;
      return undefined;
    }
    if (answer.errors.some((e) => e.type === "RATE_LIMITED")) throw graphqlRateLimit(error);
    data = answer.data as typeof data;
    errors = answer.errors;
  }
  const repositoryMissing = errors.some((e) => e.type === "NOT_FOUND" && e.path?.length === 1);
  return (number) => {
    if (repositoryMissing) return "not-found";
    const alias = `p${number}`;
    const failed = errors.filter((e) => e.path?.[1] === alias);
    if (failed.length > 0) return failed.every((e) => e.type === "NOT_FOUND") ? "not-found" : "ask-rest";
    const pull = data?.repository?.[alias];
    if (!pull || pull.number !== number || typeof pull.state !== "string") return "ask-rest";
    return { state: pull.state === "OPEN" ? "open" : "closed", closedAt: pull.closedAt };
  };
}

/** The data and errors of an answer GitHub gave with errors (`GraphqlResponseError`, or the throttling plugin's). */
function graphqlAnswerOf(error: unknown): { data: unknown; errors: GraphqlError[] } | undefined {
  const e = error as { errors?: unknown; data?: unknown; response?: { data?: { errors?: unknown; data?: unknown } } };
  if (Array.isArray(e?.errors)) return { data: e.data, errors: e.errors as GraphqlError[] };
  const body = e?.response?.data;
  if (Array.isArray(body?.errors)) return { data: body.data, errors: body.errors as GraphqlError[] };
  return undefined;
}

/**
 * GitHub answers a query over the GraphQL rate limit with 200 and `RATE_LIMITED`; thrown as the REST
 * limit is (a 403 with the answer's headers and `retryAfterMs`), so the job waits for the reset.
 */
function graphqlRateLimit(error: unknown): Error {
  const headers =
    (error as { headers?: Record<string, string>; response?: { headers?: Record<string, string> } }).headers ??
    (error as { response?: { headers?: Record<string, string> } }).response?.headers ??
    {};
  const limited = Object.assign(new Error("GitHub's GraphQL rate limit is spent"), {
    status: 403,
    response: { headers: { ...headers, "x-ratelimit-remaining": headers["x-ratelimit-remaining"] ?? "0" } },
    cause: error,
  });
  return Object.assign(limited, { retryAfterMs: rateLimitDelay(limited) });
}
