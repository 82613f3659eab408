/**
 * Worst cases of the expressions Dockhand applies to text it does not control, before and after
 * issue 10 ("matching is linear"). "Before" runs copies of the old expressions (as of f6c8a5b), kept
 * here only to measure them; "after" runs the code as it is. Then a repository's patterns at the
 * size limits, on RE2, against a 4 MiB log made to defeat RE2's DFA.
 * Usage: tsx bench/hostile-patterns.ts   (a few minutes: the "before" column is slow by design)
 */
import { performance } from "node:perf_hooks";
import picomatch from "picomatch";
import { parseConfig } from "../src/config/parse-config.js";
import { compilePruneRules } from "../src/prune/tag-rules.js";
import { parsePushedImages } from "../src/report/parse-pushed-images.js";
import { sanitizeBranch } from "../src/report/render-template.js";
import { classifyLog, HOST_PATTERNS } from "../src/retry/classify-log.js";
import { MAX_PATTERN_PROGRAM, MAX_RULES_PROGRAM, checkRepositoryPattern } from "../src/config/repository-pattern.js";
import { compileRules, REPOSITORY_RULES_BUDGET_MS } from "../src/retry/rule-set.js";
import { BUILT_IN_RULES, REGISTRY_EVIDENCE, type Rule } from "../src/retry/rules.js";

const OLD = {
  bareHost: /\b((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?\/[a-z0-9._-]+[/:@]/i,
  v2Host: /\b((?:[a-z0-9-]+\.)+[a-z]{2,}|localhost)(?::\d+)?\/v2\//i,
  tokenUrl: /\/token\?\S*(?:scope|service)=/i,
  lowercase: /repository name (?:\([^)]*\) )?must be lowercase/i,
  podman: /^(?:##\[group\]Run |\+ |\$ )?(?:sudo )?podman (?:image )?push\s+(.*)$/,
  branchEdges: /^[-.]+|[-.]+$/g,
};

function best(fn: () => unknown, tries = 3): number {
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < tries; i += 1) {
    const start = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - start);
  }
  return ms;
}
const fmt = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;

const KB120 = 120 * 1024;
const fill = (piece: string, length: number) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length);
const rule = (id: string, pattern: string): Rule => ({
  id,
  verdict: "transient",
  operation: "any",
  pattern,
  scope: "self",
});
const newRule = (id: string) => new RegExp(BUILT_IN_RULES.find((r) => r.id === id)!.pattern, "i");
const podmanLine = `podman push${" ".repeat(KB120)}x\u2028y`;
const stars = `${"a*".repeat(9)}b`;
const pullTemplate = `pr-{number}${"-*".repeat(6)}x`;
const oldPull = new RegExp(
  `^${pullTemplate
    .split("{number}")
    .map((g) => g.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*"))
    .join("([0-9]+)")}$`,
);
const pruneConfig = parseConfig({ prune: { keep: [stars], pullRequestTags: [pullTemplate] } });
if (!pruneConfig.ok) throw new Error(JSON.stringify(pruneConfig.problems));
const newPrune = compilePruneRules(pruneConfig.config.prune);

/** Expression, input, before, after. The before column runs once: it is the slow one. */
const rows: [string, string, () => unknown, () => unknown][] = [
  [
    "bare host before a path (HOST_PATTERNS[3])",
    "a 120 KB line `a.a.a…`",
    () => OLD.bareHost.test(fill("a.", KB120)),
    () => HOST_PATTERNS[3]!.test(fill("a.", KB120)),
  ],
  [
    "bare host before /v2/ (HOST_PATTERNS[2])",
    "a 120 KB line `l-l-l…`",
    () => OLD.v2Host.test(fill("l-", KB120)),
    () => HOST_PATTERNS[2]!.test(fill("l-", KB120)),
  ],
  [
    "token URL (REGISTRY_EVIDENCE)",
    "a 120 KB line `/token?/token?…`",
    () => OLD.tokenUrl.test(fill("/token?", KB120)),
    () => REGISTRY_EVIDENCE.test(fill("/token?", KB120)),
  ],
  [
    "repository-name-lowercase (a built-in rule)",
    "120 KB of `repository name (`",
    () => OLD.lowercase.test(fill("repository name (", KB120)),
    () => newRule("repository-name-lowercase").test(fill("repository name (", KB120)),
  ],
  [
    "podman's push command (parse-pushed-images)",
    "`podman push`, 120 KB of spaces, `x\\u2028y`",
    () => OLD.podman.exec(podmanLine),
    () => parsePushedImages(podmanLine),
  ],
  [
    "branch sanitizer (render-template)",
    "a 120 KB branch `x.-.-…y`",
    () => `x${fill(".-", KB120)}y`.replace(OLD.branchEdges, ""),
    () => sanitizeBranch(`x${fill(".-", KB120)}y`),
  ],
  [
    "`keep` glob `a*a*…a*b` (9 stars; tag-rules)",
    "a 44-character tag `aaa…`",
    () => picomatch(stars)("a".repeat(44)),
    () => newPrune.keep("a".repeat(44)),
  ],
  [
    "`pullRequestTags` `pr-{number}-*…-*x` (6 stars)",
    "a 64-character tag `pr-1-----…`",
    () => oldPull.test(`pr-1${"-".repeat(60)}`),
    () => newPrune.pullOf(`pr-1${"-".repeat(60)}`),
  ],
  [
    "repository rule `(a+)+$`",
    "27 `a`s and `!`",
    () => new RegExp("(a+)+$", "i").test(`${"a".repeat(27)}!`),
    () => classifyLog(`${"a".repeat(27)}!`, {}, compileRules([rule("a-runs", "(a+)+$")])),
  ],
];

console.log(`# Hostile patterns: before (copies of the old expressions) and after, node ${process.version}\n`);
console.log("| Expression | Input | Before | After |");
console.log("| --- | --- | --- | --- |");
for (const [name, input, before, after] of rows) {
  const old = best(before, 1);
  const now = best(after);
  console.log(`| ${name} | ${input} | ${fmt(old)} | ${fmt(now)} |`);
}

// The black-box test's log, through the whole classifier (after only: the old one took 24 s on the line alone).
const stamp = "2026-11-20T11:00:00.0000000Z ";
const hostileLog = [
  `${stamp}##[group]Run docker push ghcr.io/octo-org/app:pr-1`,
  `${stamp}##[endgroup]`,
  `${stamp}ERROR: failed to push ${fill("a.", KB120)}a`,
  `${stamp}${"a".repeat(30)}!`,
  `${stamp}received unexpected HTTP status: 502 Bad Gateway`,
  `${stamp}##[error]Process completed with exit code 1.`,
].join("\n");
const withRule = compileRules([rule("a-runs", "(a+)+$")]);
console.log(
  `\nclassifyLog on the 120 KB line, a run of 30 \`a\`s and a 502 (the black-box test's log), with the rule \`(a+)+$\`: ${fmt(best(() => classifyLog(hostileLog, {}, withRule)))}`,
);

// RE2 is linear, but its cost per character grows with the program: the worst patterns the limits allow.
let seed = 1;
const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const abLine = () => Array.from({ length: 4096 }, () => (random() < 0.5 ? "a" : "b")).join("");
// The widest pattern under the per-pattern limit, as many times as the joint limit allows.
const widest = ["z", "y", "x", "w", "v", "u"].map((end) => `(?:a|b|ab|ba){1,60}${end}`);
const program = widest
  .map((p) => checkRepositoryPattern(p))
  .reduce((sum, c) => sum + (c.ok ? c.program : Number.NaN), 0);
if (!(program <= MAX_RULES_PROGRAM)) throw new Error(`the patterns are not within the limits (${program} steps)`);
const worst = compileRules(widest.map((p, i) => rule(`widest-${i}`, p)));
const oneLine = abLine();
const lineMs = best(() => classifyLog(oneLine, {}, compileRules(widest.map((p, i) => rule(`widest-${i}`, p)))), 1);
const log = Array.from({ length: 1024 }, abLine).join("\n");
const start = performance.now();
const got = classifyLog(log, {}, worst);
const logMs = performance.now() - start;
console.log(
  `\nRepository patterns at the limits (${widest.length} × \`(?:a|b|ab|ba){1,60}z\`, ${program} steps; at most ${MAX_PATTERN_PROGRAM} each, ${MAX_RULES_PROGRAM} together) on random a/b lines, which keep RE2's DFA from settling:`,
);
console.log(`- one 4,096-character line (the most one line can cost): ${fmt(lineMs)}`);
console.log(
  `- a 4 MiB log of such lines: ${fmt(logMs)}, cut short: ${got.repositoryRulesCutShort === true} (budget ${REPOSITORY_RULES_BUDGET_MS} ms)`,
);

// Compiling: a config is parsed on every delivery. 100 rules (the most allowed) of shapes that are
// slow to compile, each pattern different so that nothing is cached; the worst shape is reported.
const shapes = [
  "x".repeat(480),
  "[^a]{480}",
  "[a-z]{1,240}",
  "(a)".repeat(160),
  String.raw`\b\w+`.repeat(96),
  "(?:[a-z]{1,30}){1,30}",
  String.raw`[\x{100}-\x{10FFFF}]`.repeat(22),
  String.raw`\pL`.repeat(160),
];
let worstShape = "";
let worstMs = 0;
for (const [s, shape] of shapes.entries()) {
  const rules = Array.from({ length: 100 }, (_, i) => ({
    id: `r${i}`,
    verdict: "transient",
    pattern: `${shape}#${s}-${i}`,
  }));
  const begin = performance.now();
  parseConfig({ retry: { rules } });
  const ms = performance.now() - begin;
  if (ms > worstMs) [worstShape, worstMs] = [shape.slice(0, 24), ms];
}
console.log(
  `\nA config of 100 retry rules, the slowest of ${shapes.length} shapes to compile (\`${worstShape}…\`): parsed in ${fmt(worstMs)}`,
);
