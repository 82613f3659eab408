/**
 * What an unauthenticated body costs the process at the webhook URL, before and after the webhook edge
 * (src/server/): "before" is Probot's `run()` with the Dockhand app, as `src/main.ts` started it until
 * then; "after" is `dist/src/main.js`. Each case runs on a fresh process configured like production
 * (JSON logs at info), GitHub faked over HTTP; measured from outside: the answer and its time, the
 * peak of the process's VmRSS over its baseline (polled every 20 ms), and the bytes it logged.
 * Usage: tsx bench/webhook-edge.ts [after|before|both]   (default both; after `npm run build`;
 * DOCKHAND_WEBHOOK_READ_MB is handed to the app)
 */
import { spawnApp } from "../test/support/app-process.js";
import { postOnOwnConnection } from "../test/support/deliveries.js";
import { startHttpGitHub } from "../test/support/http-github.js";
import { postOversized, rssBytes } from "../test/support/oversized-post.js";

const SECRET = "bench-edge";
const MiB = 1024 * 1024;
const which = process.argv[2] ?? "both";

type Outcome = { status?: number | string; seconds: number };
interface Case {
  name: string;
  send: (port: number) => Promise<Outcome>;
}

const cases: Case[] = [
  { name: "300 MB unsigned, chunked", send: (port) => oversized(port, 300 * MiB, "chunked") },
  { name: "300 MB unsigned, Content-Length", send: (port) => oversized(port, 300 * MiB, "content-length") },
  { name: "20 MB, bad signature", send: (port) => signed(port, 20 * MiB, "sha256=" + "0".repeat(64)) },
  { name: "25 MiB, signed (GitHub's largest)", send: (port) => signed(port, 25 * MiB - 1024) },
  { name: "8 × 25 MiB at once, bad signature", send: (port) => atOnce(port, 8) },
  { name: "32 × 25 MiB at once, bad signature", send: (port) => atOnce(port, 32) },
];

/** `count` forged deliveries of 25 MiB sent together; the answers counted by status. */
async function atOnce(port: number, count: number): Promise<Outcome> {
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: count }, () => signed(port, 25 * MiB - 1024, "sha256=" + "0".repeat(64))),
  );
  const statuses = new Map<number | string | undefined, number>();
  for (const { status } of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const status = [...statuses].map(([code, n]) => `${n}× ${code}`).join(", ");
  return { status, seconds: (Date.now() - started) / 1000 };
}

async function oversized(port: number, total: number, framing: "chunked" | "content-length"): Promise<Outcome> {
  const result = await postOversized(port, total, framing);
  return { status: result.status ?? result.error, seconds: result.seconds };
}

/** A `ping` delivery of `bytes` bytes, signed with the app's secret unless `signature` is given. */
function signed(port: number, bytes: number, signature?: string): Promise<Outcome> {
  const head = '{"zen":"';
  const payload = head + "x".repeat(bytes - head.length - 2) + '"}';
  return postOnOwnConnection(port, SECRET, {
    event: "ping",
    payload,
    id: `edge-${Math.random()}`,
    ...(signature ? { signature } : {}),
  });
}

/** Probot's `run()` with the built app: the process before the webhook edge. */
const BEFORE = `const { run } = await import("probot"); const { default: app } = await import("./dist/src/index.js"); await run(app);`;

async function measure(
  version: "before" | "after",
  github: Awaited<ReturnType<typeof startHttpGitHub>>,
  testCase: Case,
) {
  const app = await spawnApp(github, {
    command:
      version === "after"
        ? [process.execPath, "dist/src/main.js"]
        : [process.execPath, "--input-type=module", "-e", BEFORE],
    // The bound on bodies read at once, as the operator sets it (to compare: a large value is no bound).
    env: { WEBHOOK_SECRET: SECRET, DOCKHAND_WEBHOOK_READ_MB: process.env.DOCKHAND_WEBHOOK_READ_MB },
    keepOutput: false,
  });
  const { child, port } = app;
  let logged = 0;
  child.stdout.on("data", (chunk: Buffer) => (logged += chunk.length));
  child.stderr.on("data", (chunk: Buffer) => (logged += chunk.length));
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const baseline = rssBytes(child.pid!);
    const loggedBefore = logged;
    let peak = baseline;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        peak = Math.max(peak, rssBytes(child.pid!));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const outcome = await testCase.send(port);
    // What the process still does with the body once it answered (logging it, for one): until its output is quiet for a second.
    for (let last = -1, deadline = Date.now() + 60_000; last !== logged && Date.now() < deadline;) {
      last = logged;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    watching = false;
    await watch;
    return {
      ...outcome,
      rssMiB: Math.round((peak - baseline) / MiB),
      baselineMiB: Math.round(baseline / MiB),
      loggedBytes: logged - loggedBefore,
    };
  } finally {
    child.kill("SIGKILL");
    await app.exited;
  }
}

const github = await startHttpGitHub();
const versions = which === "both" ? (["before", "after"] as const) : ([which] as ("before" | "after")[]);
console.log("| case | version | answer | seconds | peak RSS over baseline | logged |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const testCase of cases) {
  for (const version of versions) {
    const r = await measure(version, github, testCase);
    const logged = r.loggedBytes > MiB ? `${(r.loggedBytes / MiB).toFixed(1)} MiB` : `${r.loggedBytes} B`;
    console.log(
      `| ${testCase.name} | ${version} | ${r.status} | ${r.seconds.toFixed(2)} | ${r.rssMiB} MiB (baseline ${r.baselineMiB} MiB) | ${logged} |`,
    );
  }
}
await github.close();
