import { pino } from "pino";
import type { Octokit } from "../../src/github/octokit.js";
import { dockhandOctokit } from "../../src/github/octokit-options.js";

/**
 * The Octokit that ships, for tests of one module's requests: writes not spaced in time, logs silent,
 * at `baseUrl` when given (an HTTP fake GitHub) or api.github.com (the fake behind nock).
 */
export function testOctokit(baseUrl?: string): Octokit {
  return new (dockhandOctokit({ githubWriteIntervalMs: 0 }))({
    auth: { token: "ghp_test" },
    log: pino({ level: "silent" }),
    ...(baseUrl ? { baseUrl } : {}),
  }) as unknown as Octokit;
}
