import { pino } from "pino";
import { dockhandOctokit } from "../github/octokit-options.js";
import { statusOf, type Octokit } from "../github/octokit.js";
import { withRequestTimeout } from "../github/request-timeout.js";
import { readSettings, SettingsError } from "../settings.js";

export interface CliClient {
  octokit: Octokit;
  token: string;
  /** The API's root, for messages. */
  baseUrl: string;
  /** DOCKHAND_PRUNE_WRITE_INTERVAL_MS: the CLI's writes are package deletions and restores, paced as the app paces them. */
  writeIntervalMs: number;
}

/**
 * The app's Octokit (github/octokit-options.ts) with a token, for the CLI, so that both send a request
 * the same number of times: a read at most twice, a write once, a rate limit given back to the caller
 * rather than waited out; each request within DOCKHAND_GITHUB_TIMEOUT_MS. GITHUB_API_URL (set in
 * Actions, GHES included) or GHE_HOST/GHE_PROTOCOL pick the server. The token comes from
 * DOCKHAND_PACKAGES_TOKEN or GITHUB_TOKEN.
 */
export function cliOctokit(env: Record<string, string | undefined>): CliClient | { error: string } {
  let settings: ReturnType<typeof readSettings>;
  try {
    settings = readSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return { error: error.message };
  }
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
  const writeIntervalMs = settings.pruneWriteIntervalMs;
  const Octokit = dockhandOctokit({ githubWriteIntervalMs: writeIntervalMs });
  return {
    octokit: withRequestTimeout(
      new Octokit({ auth: { token }, log, baseUrl }) as unknown as Octokit,
      settings.githubTimeoutMs,
    ),
    token,
    baseUrl,
    writeIntervalMs,
  };
}

/**
 * One read of the owner (sent at most twice, as every read): why GitHub cannot be used, naming the URL
 * and the setting to check, or undefined.
 */
export async function checkGitHubReachable(client: CliClient, owner: string): Promise<string | undefined> {
  try {
    await client.octokit.request("GET /users/{username}", { username: owner });
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
