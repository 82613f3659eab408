import assert from "node:assert/strict";
import { spawnSync, type ChildProcess } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { spawnApp, type AppProcess } from "../support/app-process.js";
import { postOnOwnConnection } from "../support/deliveries.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpGitHub } from "../support/http-github.js";
import { waitFor } from "../support/net.js";
import { postOversized, rssBytes } from "../support/oversized-post.js";
import { buildJob, buildxLog, DIGEST_A, REPO, SHA1, seedRepo } from "../support/scenario.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const SECRET = "hostile-edge-secret";
const MiB = 1024 * 1024;

/**
 * The process as an operator runs it, attacked at its edge by someone who only knows the webhook URL:
 * oversized bodies, a large forged payload, a start without a secret, a stdout nobody reads.
 * `npm start` is `npm run build && node dist/src/main.js`: built once here, and each case starts node
 * itself, so that its pid is the app's (memory, signals, stdout).
 */
describe("black box: the HTTP edge, secrets and shutdown under attack", () => {
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let fake: FakeGitHub;
  const started: ChildProcess[] = [];

  before(
    () => {
      const build = spawnSync("npm", ["run", "--silent", "build"], { encoding: "utf8" });
      assert.equal(build.status, 0, build.stdout + build.stderr);
    },
    { timeout: 180_000 },
  );

  before(async () => {
    github = await startHttpGitHub();
    fake = github.fake;
  });

  after(
    async () => {
      for (const child of started) {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await github.close();
    },
    { timeout: 30_000 },
  );

  /** The built app (see spawnApp), in a process group of its own; killed after the suite. */
  async function startApp(env: Record<string, string>, options: { waitReady?: boolean } = {}) {
    const app = await spawnApp(github, {
      env,
      detached: true,
      readyTimeoutMs: 30_000,
      ...(options.waitReady === false ? { readyPath: false as const } : {}),
    });
    started.push(app.child);
    return app;
  }

  describe("an app taking webhooks", () => {
    let app: AppProcess;

    before(async () => {
      app = await startApp({ WEBHOOK_SECRET: SECRET });
    });

    for (const framing of ["chunked", "content-length"] as const) {
      it(
        `refuses a 300 MB unsigned body (${framing}) with 413, memory and /healthz unaffected`,
        { timeout: 120_000 },
        async () => {
          const pid = app.child.pid!;
          for (let i = 0; i < 5; i += 1) await fetch(`http://127.0.0.1:${app.port}/healthz`);
          const baseline = rssBytes(pid);
          let peak = baseline;
          let slowestHealthz = 0;
          let sending = true;
          const watch = (async () => {
            while (sending) {
              peak = Math.max(peak, rssBytes(pid));
              const t0 = Date.now();
              const health = await fetch(`http://127.0.0.1:${app.port}/healthz`, { signal: AbortSignal.timeout(5000) });
              slowestHealthz = Math.max(slowestHealthz, Date.now() - t0);
              assert.equal(health.status, 200);
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          })();
          const result = await postOversized(app.port, 300 * MiB, framing);
          // Keep watching a little: an app that buffered the body is still chewing on it.
          await new Promise((resolve) => setTimeout(resolve, 500));
          peak = Math.max(peak, rssBytes(pid));
          sending = false;
          await watch;
          assert.equal(
            result.status,
            413,
            `answered ${result.status ?? result.error} after ${Math.round(result.sent / MiB)} MiB sent`,
          );
          assert.ok(peak - baseline < 200 * MiB, `RSS grew by ${Math.round((peak - baseline) / MiB)} MiB`);
          assert.ok(slowestHealthz < 1000, `/healthz took ${slowestHealthz} ms`);
          assert.match(app.output(), /webhook refused: body over 26214400 bytes/);
        },
      );
    }

    it("handles a properly signed delivery right after", { timeout: 60_000 }, async () => {
      seedRepo(fake);
      fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
      fake.setJobs("octo-org/app", 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
      const response = await postOnOwnConnection(app.port, SECRET, {
        event: "workflow_run",
        payload: workflowRunCompleted({ repo: REPO, id: 500, headSha: SHA1, headBranch: "feature/x" }),
        id: `he-${Math.random()}`,
      });
      assert.equal(response.status, 200, app.output().slice(-2000));
      await waitFor(async () => fake.commentsOn("octo-org/app", 7).length > 0, 20_000, "no comment");
      assert.match(fake.commentsOn("octo-org/app", 7)[0]?.body ?? "", /ghcr\.io\/octo-org\/app:pr-7/);
    });

    it(
      "logs a 20 MB payload with a bad signature as a few hundred bytes, never the payload",
      { timeout: 60_000 },
      async () => {
        const marker = "forged-payload-marker";
        const body = JSON.stringify({ zen: marker + "x".repeat(20 * MiB) });
        const before = app.output().length;
        const response = await postOnOwnConnection(app.port, SECRET, {
          event: "workflow_run",
          payload: body,
          id: "forged-delivery",
          signature: "sha256=" + "0".repeat(64),
        });
        assert.equal(response.status, 400);
        await waitFor(
          () => Promise.resolve(app.output().includes("forged-delivery")),
          5000,
          "the delivery left no line",
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const logged = app.output().slice(before);
        assert.ok(logged.length < 4096, `${logged.length} bytes logged for one forged delivery`);
        assert.doesNotMatch(logged, new RegExp(marker));
        const refusal = logged.split("\n").find((line) => line.includes("bad signature"));
        assert.ok(refusal);
        assert.deepEqual(
          Object.fromEntries(
            Object.entries(JSON.parse(refusal) as Record<string, unknown>).filter(([key]) =>
              ["event", "delivery", "bytes", "reason"].includes(key),
            ),
          ),
          {
            event: "workflow_run",
            delivery: "forged-delivery",
            bytes: Buffer.byteLength(body),
            reason: "bad signature",
          },
        );
      },
    );
  });

  describe("secrets", () => {
    for (const [label, secret] of [
      ["without WEBHOOK_SECRET", undefined],
      ['with WEBHOOK_SECRET="development"', "development"],
    ] as const) {
      it(
        `refuses to start in production ${label}, in one line, and never takes a delivery signed with "development"`,
        { timeout: 30_000 },
        async () => {
          const app = await startApp(
            { NODE_ENV: "production", ...(secret ? { WEBHOOK_SECRET: secret } : {}) },
            { waitReady: false },
          );
          const accepted: number[] = [];
          let running = true;
          const probe = (async () => {
            while (running) {
              const { status } = await postOnOwnConnection(app.port, "development", {
                event: "ping",
                payload: { zen: "forged" },
                id: `he-${Math.random()}`,
              });
              if (typeof status === "number" && status >= 200 && status < 300) accepted.push(status);
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
          })();
          const t0 = Date.now();
          const code = await Promise.race([
            app.exited,
            new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 10_000)),
          ]);
          running = false;
          await probe;
          assert.equal(code, 1, `still running after ${Date.now() - t0} ms:\n${app.output().slice(-1000)}`);
          const lines = app.stderr.trim().split("\n");
          assert.equal(lines.length, 1, app.stderr);
          assert.match(
            lines[0] ?? "",
            /WEBHOOK_SECRET.*NODE_ENV=production.*set it to your GitHub App's webhook secret/,
          );
          assert.equal(app.stdout, "");
          assert.deepEqual(accepted, []);
        },
      );
    }

    it(
      'outside production, falls back to "development" only with a warning at start',
      { timeout: 30_000 },
      async () => {
        const app = await startApp({});
        assert.match(
          app.output(),
          /WEBHOOK_SECRET is not set: accepting deliveries signed with \\"development\\", which anyone can forge/,
        );
        process.kill(-app.child.pid!, "SIGKILL");
      },
    );
  });

  describe("shutdown whatever stdout does", () => {
    const timeoutMs = 3000;
    const margin = 2000;

    it("exits within the deadline on SIGTERM when nobody reads stdout (a full pipe)", { timeout: 60_000 }, async () => {
      const app = await startApp({ WEBHOOK_SECRET: SECRET, DOCKHAND_SHUTDOWN_TIMEOUT_MS: String(timeoutMs) });
      app.child.stdout!.pause();
      await fillStdout(app.port);
      const elapsed = await sigterm(app);
      assert.ok(elapsed < timeoutMs + margin, `exited ${elapsed} ms after SIGTERM`);
    });

    it(
      "exits within the deadline on SIGTERM when stdout's reader stalls, then goes away (EPIPE)",
      { timeout: 60_000 },
      async () => {
        // The reader closing its end of an idle pipe hung the old logger's exit only when the exit won a
        // race with its first failed write; a stalled pipe first makes the old hang certain.
        const app = await startApp({ WEBHOOK_SECRET: SECRET, DOCKHAND_SHUTDOWN_TIMEOUT_MS: String(timeoutMs) });
        app.child.stdout!.pause();
        await fillStdout(app.port);
        const elapsed = await sigterm(app, () => app.child.stdout!.destroy());
        assert.ok(elapsed < timeoutMs + margin, `exited ${elapsed} ms after SIGTERM`);
      },
    );

    /** Far more log lines (one per request, a long URL each) than a pipe's 64 KiB holds. */
    async function fillStdout(port: number): Promise<void> {
      const url = `http://127.0.0.1:${port}/healthz?${"x".repeat(180)}`;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 200; i += 1) await (await fetch(url)).arrayBuffer();
        }),
      );
    }

    async function sigterm(app: AppProcess, then?: () => void): Promise<number> {
      const t0 = Date.now();
      process.kill(app.child.pid!, "SIGTERM");
      then?.();
      const code = await Promise.race([
        app.exited,
        new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), timeoutMs + margin + 5000)),
      ]);
      assert.notEqual(code, "hung", "still running after SIGTERM");
      return Date.now() - t0;
    }
  });
});
