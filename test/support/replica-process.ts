import { spawnApp, type HttpGitHubAddress } from "./app-process.js";

export interface ReplicaProcess {
  /** Everything the process printed so far (JSON log lines). */
  output: () => string;
  /** Signs and posts a delivery to this replica; resolves with the HTTP status. */
  send: (event: string, payload: unknown) => Promise<number>;
  /** `/readyz`: its status and checks. */
  readiness: () => Promise<{ status: number; checks: Record<string, boolean> }>;
  /** SIGSTOP: the process, its timers and its sockets stand still, as in a long pause or a frozen container. */
  freeze: () => void;
  /** SIGCONT. */
  resume: () => void;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop: () => Promise<void>;
}

/**
 * One replica as an operator runs it, in a process of its own (the production entry, `src/main.ts`,
 * through tsx): configured only by the environment, GitHub reached over HTTP at GHE_HOST, with the
 * Octokit that ships (its write pacing clustered on REDIS_URL by Probot's connection).
 */
export async function startReplica(github: HttpGitHubAddress, env: Record<string, string>): Promise<ReplicaProcess> {
  const app = await spawnApp(github, {
    command: [process.execPath, "--import", "tsx", "src/main.ts"],
    env: { NODE_ENV: "production", WEBHOOK_SECRET: "replica-secret", LOG_LEVEL: "debug", ...env },
    readyPath: "/readyz",
  });
  const { child } = app;
  return {
    output: app.output,
    send: (event, payload) => app.send({ event, payload }),
    readiness: async () => {
      const response = await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      return {
        status: response.status,
        checks: ((await response.json()) as { checks: Record<string, boolean> }).checks,
      };
    },
    freeze: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await app.exited;
      clearTimeout(timer);
    },
  };
}
