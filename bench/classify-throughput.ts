/**
 * Classification throughput on a large synthetic job log, against `grep -E -i` with the same
 * patterns. Three numbers per size:
 *  - dockhand (log-aware): `classifyLog` on the GitHub-format log; it looks only at the failing step.
 *  - dockhand (full scan): the same lines without step markers, so every line is tested, like grep.
 *  - grep -E -i -c -f patterns: every line against every pattern, as a DFA.
 * End-to-end timings spawn the built CLI (`node dist/src/cli/main.js classify`) and grep on the same file.
 * Usage: npm run build && tsx bench/classify-throughput.ts [MiB] [dense]   (default 100 MiB, one decoy
 * line per 1,000; `dense`: one per 8, the worst case for context checks)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { classifyLog } from "../src/retry/classify-log.js";
import { compileRules } from "../src/retry/rule-set.js";
import { BUILT_IN_RULES } from "../src/retry/rules.js";

const mib = Number(process.argv[2] ?? 100);
const dir = mkdtempSync(join(tmpdir(), "dockhand-bench-"));
const rules = compileRules();

// Lines like a long build and test job: compiler output, test results, push progress.
const QUIET = [
  "#12 [builder 4/9] RUN npm ci --omit=dev",
  "#12 12.31 added 812 packages, and audited 813 packages in 11s",
  "  ✓ api › returns the user (12 ms)",
  "5f70bf18a086: Pushing [==================>                                ]  40.2MB/108MB",
  "go: downloading github.com/foo/bar v1.2.3",
  "warning: unused variable `timeout` in src/retry.rs:42",
  "PASS src/components/Button.test.tsx (5.123 s)",
];
// A decoy that every 5xx pattern matches and that needs its context checked.
const DECOY = "  ✓ api › handles 502 Bad Gateway from the upstream (3 ms)";
const density = process.argv[3] === "dense" ? 8 : 1000;
const BODY = [...Array.from({ length: density - 1 }, (_, i) => QUIET[i % QUIET.length] ?? ""), DECOY];
const FAILING_STEP = [
  "##[group]Run docker/build-push-action@v6",
  "##[endgroup]",
  "#14 pushing layers",
  "ERROR: failed to solve: failed to push ghcr.io/octo-org/app:pr-7: unexpected status from PUT request to https://ghcr.io/v2/octo-org/app/manifests/pr-7: 502 Bad Gateway",
  "##[error]buildx failed with: ERROR: failed to solve: failed to push ghcr.io/octo-org/app:pr-7: unexpected status from PUT request to https://ghcr.io/v2/octo-org/app/manifests/pr-7: 502 Bad Gateway",
];

function makeLog(bytes: number, markers: boolean): string {
  const lines: string[] = [
    markers ? "2026-11-20T11:00:00.0000000Z ##[group]Run npm test" : "2026-11-20T11:00:00.0000000Z Run npm test",
  ];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const line = `2026-11-20T11:${String(Math.floor(i / 60000) % 60).padStart(2, "0")}:00.0000000Z ${BODY[i % BODY.length]}`;
    lines.push(line);
    size += line.length + 1;
  }
  for (const line of FAILING_STEP)
    lines.push(`2026-11-20T11:59:59.0000000Z ${markers ? line : line.replace(/##\[(group|endgroup|error)\]/, "")}`);
  return `${lines.join("\n")}\n`;
}

/** The rule patterns in POSIX ERE (GNU grep): `(?:` groups become plain groups, `\d` a class. */
function toEre(pattern: string): string {
  return pattern.replaceAll("(?:", "(").replaceAll(String.raw`\d`, "[0-9]");
}

function time<T>(fn: () => T, repeat = 3): { ms: number; result: T } {
  let best = Number.POSITIVE_INFINITY;
  let result!: T;
  for (let i = 0; i < repeat; i += 1) {
    const start = performance.now();
    result = fn();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, result };
}

const patternsFile = join(dir, "patterns.txt");
writeFileSync(patternsFile, `${BUILT_IN_RULES.map((r) => toEre(r.pattern)).join("\n")}\n`);
const check = spawnSync("grep", ["-E", "-i", "-c", "-f", patternsFile, "/dev/null"]);
if (check.status === 2) throw new Error(`grep rejected the patterns: ${check.stderr.toString()}`);

const withMarkers = join(dir, "job.log");
const plain = join(dir, "plain.log");
writeFileSync(withMarkers, makeLog(mib * 1024 * 1024, true));
writeFileSync(plain, makeLog(mib * 1024 * 1024, false));
const size = statSync(plain).size;
const mb = size / 1024 / 1024;

const aware = readFileSync(withMarkers, "utf8");
const full = readFileSync(plain, "utf8");
const inAware = time(() => classifyLog(aware, {}, rules));
const inFull = time(() => classifyLog(full, {}, rules));
const grep = time(() => spawnSync("grep", ["-E", "-i", "-c", "-f", patternsFile, plain]).stdout.toString().trim());
const cli = (file: string) =>
  time(() => execFileSync("node", ["dist/src/cli/main.js", "classify", "--json", file]).toString());
const cliAware = cli(withMarkers);
const cliFull = cli(plain);

const rate = (ms: number) => `${(mb / (ms / 1000)).toFixed(0)} MiB/s`;
const rows = [
  ["dockhand, in process, log-aware", inAware.ms, inAware.result.verdict],
  ["dockhand, in process, full scan", inFull.ms, inFull.result.verdict],
  ["dockhand CLI (node), log-aware", cliAware.ms, (JSON.parse(cliAware.result) as { verdict: string }).verdict],
  ["dockhand CLI (node), full scan", cliFull.ms, (JSON.parse(cliFull.result) as { verdict: string }).verdict],
  ["grep -E -i -c -f patterns", grep.ms, `${grep.result} matching lines`],
] as const;
console.log(
  `# Classification throughput: ${mb.toFixed(1)} MiB synthetic log, ${full.split("\n").length} lines, a decoy every ${density} lines, ${BUILT_IN_RULES.length} patterns, node ${process.version}\n`,
);
console.log("| Classifier | Time (best of 3) | Throughput | vs grep -E | Result |");
console.log("| --- | --- | --- | --- | --- |");
for (const [name, ms, result] of rows) {
  console.log(`| ${name} | ${ms.toFixed(0)} ms | ${rate(ms)} | ${(grep.ms / ms).toFixed(2)}× | ${result} |`);
}
rmSync(dir, { recursive: true, force: true });
