import Bottleneck from "bottleneck";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { statusOf, type Octokit } from "../github/octokit.js";

export interface CliClient {
  octokit: Octokit;
  token: string;
  /** The API's root, for messages. */
  baseUrl: string;
}

/**
 * Probot's Octokit with a token, for the CLI: GITHUB_API_URL (set in Actions, GHES included) or
 * GHE_HOST/GHE_PROTOCOL pick the server. The token comes from DOCKHAND_PACKAGES_TOKEN or GITHUB_TOKEN.
 * `writeIntervalMs` spaces its writes (Octokit's throttling spaces them a second apart otherwise).
 */
export function cliOctokit(
  env: Record<string, string | undefined>,
  options: { writeIntervalMs?: number } = {},
): CliClient | { error: string } {
  const token = env.DOCKHAND_PACKAGES_TOKEN || env.GITHUB_TOKEN;
  if (!token) {
    return {
      error:
        "set DOCKHAND_PACKAGES_TOKEN to a classic personal access token (read:packages, delete:packages; write:packages to restore), or run in GitHub Actions with GITHUB_TOKEN and Admin access to the package",
    };
  }
  const baseUrl =
    env.GITHUB_API_URL ||
    (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : "https://api.github.com");
  const log = pino({ level: env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  const throttle =
    options.writeIntervalMs === undefined
      ? {}
      : {
          throttle: {
            write: new Bottleneck.Group({ id: "octokit-write", maxConcurrent: 1, minTime: options.writeIntervalMs }),
          },
        };
  return {
    octokit: new ProbotOctokit({ auth: { token }, log, baseUrl, ...throttle }) as unknown as Octokit,
    token,
    baseUrl,
  };
}

/**
 * One request to the owner, without Octokit's retries (which take 15 s over a connection that cannot
 * be made): why GitHub cannot be used, naming the URL and the setting to check, or undefined.
 */
export async function checkGitHubReachable(client: CliClient, owner: string): Promise<string | undefined> {
  try {
    await client.octokit.request("GET /users/{username}", { username: owner, request: { retries: 0 } });
    return undefined;
  } catch (error) {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    // A request that got no answer at all (refused, no such host, TLS) carries no response.
    if (!(error as { response?: unknown }).response) {
      return `cannot reach GitHub's API at ${client.baseUrl} (${message}); check GITHUB_API_URL (or GHE_HOST and GHE_PROTOCOL) and the network`;
    }
    if (status === 401)
      return `GitHub's API at ${client.baseUrl} refused the token (HTTP 401); check DOCKHAND_PACKAGES_TOKEN or GITHUB_TOKEN`;
    if (status === 404) return `${owner} is not a user or organization on ${client.baseUrl}; check --owner`;
    return undefined; // the run meets it again, with retries
  }
}
