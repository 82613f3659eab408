import { pino } from "pino";
import { ProbotOctokit } from "probot";
import type { Octokit } from "../github/octokit.js";

/**
 * Probot's Octokit with a token, for the CLI: GITHUB_API_URL (set in Actions, GHES included) or
 * GHE_HOST/GHE_PROTOCOL pick the server. The token comes from DOCKHAND_PACKAGES_TOKEN or GITHUB_TOKEN.
 */
export function cliOctokit(env: Record<string, string | undefined>): { octokit: Octokit; token: string } | { error: string } {
  const token = env.DOCKHAND_PACKAGES_TOKEN ?? env.GITHUB_TOKEN;
  if (!token) {
    return {
      error:
        "set DOCKHAND_PACKAGES_TOKEN to a classic personal access token (read:packages, delete:packages; write:packages to restore), or run in GitHub Actions with GITHUB_TOKEN and Admin access to the package",
    };
  }
  const baseUrl = env.GITHUB_API_URL ?? (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined);
  const log = pino({ level: env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  return { octokit: new ProbotOctokit({ auth: { token }, log, ...(baseUrl ? { baseUrl } : {}) }) as unknown as Octokit, token };
}
