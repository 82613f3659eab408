/**
 * The classifier's worst cases on the most of a log the app reads (4 MiB), for what issue 11 added:
 * near-miss hosts (a Damerau-Levenshtein table per host and known pattern), buildkit and legacy build
 * outlines, the host and step of every line a rule matches, and `--explain`. Each log is one failing
 * step whose every line a rule matches and needs its context read.
 * Usage: tsx bench/classify-worst-case.ts
 */
import { performance } from "node:perf_hooks";
import { classifyLog, explainLog } from "../src/retry/classify-log.js";
import { compileRules } from "../src/retry/rule-set.js";

const MIB = 4;
const stamp = (i: number) =>
  `2026-11-20T11:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.0000000Z `;
const rules = compileRules();

/** A failing step whose output is `line(i)` for i = 0, 1, … until the log is MIB MiB. */
function log(line: (i: number) => string): string {
  const out = [`${stamp(0)}##[group]Run docker/build-push-action@v6`, `${stamp(0)}##[endgroup]`];
  let size = 0;
  for (let i = 0; size < MIB * 1024 * 1024; i += 1) {
    const text = `${stamp(i)}${line(i)}`;
    out.push(text);
    size += text.length + 1;
  }
  out.push(`${stamp(1)}##[error]buildx failed with: ERROR: failed to solve: failed to build`);
  return `${out.join("\n")}\n`;
}

const host = (i: number) => `${"g".repeat(240)}${i.toString(36).padStart(6, "0")}.io`;
const CASES: [string, string][] = [
  [
    "every line a distinct 250-character host one step from known ones, timing out",
    log((i) => `Error response from daemon: Get "https://${host(i)}/v2/": dial tcp 203.0.113.7:443: i/o timeout`),
  ],
  [
    "every line a near miss of ghcr.io (`ghcr.oi`), timing out",
    log(() => 'Error response from daemon: Get "https://ghcr.oi/v2/": dial tcp 203.0.113.7:443: i/o timeout'),
  ],
  ["every line its own buildkit step, a bare EOF", log((i) => `#${i} ERROR: EOF`)],
  [
    "a legacy RUN step per 3 lines, then a reset",
    log((i) =>
      i % 3 === 0
        ? `Step ${i}/999999 : RUN make`
        : i % 3 === 1
          ? " ---> Running in 0a1b2c"
          : "read: connection reset by peer",
    ),
  ],
  [
    // Each notice reads the ten lines before it for the failure it restates (rules' `restatesAbove`).
    "every line the runner's retry notice, restating no other tool's failure",
    log(() => "Warning: Docker pull failed with exit code 1, back off 7.814 seconds before retry."),
  ],
  [
    "every line npm's, with a package host",
    log(
      () =>
        "npm ERR! request to https://registry.npmjs.org/x failed, reason: read ECONNRESET: connection reset by peer",
    ),
  ],
];

function best(run: () => unknown, times = 5): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i += 1) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

console.log(`# Classifier worst cases: ${MIB} MiB logs, every line a candidate, node ${process.version}\n`);
console.log("| Log | classify | explain | Verdict |");
console.log("| --- | --- | --- | --- |");
for (const [name, text] of CASES) {
  const verdict = classifyLog(text, {}, rules);
  console.log(
    `| ${name} | ${best(() => classifyLog(text, {}, rules)).toFixed(0)} ms | ${best(() => explainLog(text, {}, rules), 2).toFixed(0)} ms | ${verdict.verdict}${verdict.rule ? ` (${verdict.rule})` : ""} |`,
  );
}
