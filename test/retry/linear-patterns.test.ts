import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BUILD_STEP_LINE, classifyLog, explainLog, HOST_PATTERNS, REQUEST_HOST } from "../../src/retry/classify-log.js";
import { MAX_LINE_CHARS } from "../../src/retry/log-line.js";
import { hostStatus } from "../../src/retry/registry-host.js";
import { compileRules } from "../../src/retry/rule-set.js";
import {
  BUILD_VERTEX,
  BUILT_IN_RULES,
  KNOWN_REGISTRY_HOSTS,
  NOT_REGISTRY_LINE,
  REGISTRY_EVIDENCE,
  REGISTRY_STEP,
  REGISTRY_VERTEX,
  RUN_OUTPUT,
  TRANSFER_PROGRESS,
} from "../../src/retry/rules.js";
import { asLines, assertLinear, eachCall, type HostileCase } from "../support/linear-time.js";

const rules = compileRules();
const classify = (text: string) => classifyLog(text, {}, rules);
const stamp = "2026-11-20T11:00:00.0000000Z ";
const repeat = (piece: string, unit: number) => piece.repeat(Math.max(1, Math.floor(unit / piece.length)));

/**
 * Every expression the classifier applies to log text, driven where it backtracks worst, through
 * `classifyLog` itself: each line below is a finding (or the line after one), so the host, operation
 * and evidence expressions run on it, and all built-in patterns run on every line in the scan. The
 * units stay under `MAX_LINE_CHARS`, since that is the length the per-line expressions see.
 */
const CLASSIFIER: HostileCase[] = [
  asLines(
    "bare host before a path (HOST_PATTERNS[3]): a.a.a…",
    (n) => `${stamp}ERROR: failed to push ${repeat("a.", n)}: 502 Bad Gateway`,
    classify,
  ),
  asLines(
    "bare host before /v2/ (HOST_PATTERNS[2]): l-l-l…",
    (n) => `${stamp}ERROR: failed to push ${repeat("l-", n)}: 502 Bad Gateway`,
    classify,
  ),
  asLines(
    "host after lookup (HOST_PATTERNS[0])",
    (n) => `${stamp}dial tcp: lookup ${repeat("a.", n)}x: no such host`,
    classify,
  ),
  asLines(
    "host in a URL (HOST_PATTERNS[1])",
    (n) => `${stamp}Get "${repeat("http://a", n)}: 502 Bad Gateway`,
    classify,
  ),
  asLines(
    "a registry's storage path after many URLs (storesBlobs)",
    (n) => `${stamp}Get ${repeat("https://a", n)}/docker/registry/v2/blobs: i/o timeout`,
    classify,
  ),
  asLines(
    "token URL evidence (REGISTRY_EVIDENCE): /token?/token?…",
    (n) => `${stamp}${repeat("/token?", n)} 502 Bad Gateway`,
    classify,
  ),
  asLines(
    "repository-name-lowercase: repository name (…",
    (n) => `${stamp}${repeat("repository name (", n)}`,
    classify,
  ),
  asLines(
    "registry-server-error: request …",
    (n) => `${stamp}failed to push: ${repeat("request to x", n)}: 50`,
    classify,
  ),
  asLines("manifest-unknown: manifest for …", (n) => `${stamp}${repeat("manifest for x", n)}`, classify),
  asLines("dns-unknown-host: lookup … on …", (n) => `${stamp}lookup a on ${repeat(": no such hos", n)}`, classify),
  asLines(
    "ANSI colour codes without an end",
    (n) => `${stamp}\u001b[31m${repeat("\u001b[1;", n)} 502 Bad Gateway`,
    classify,
  ),
  asLines(
    "operation words (operationIn)",
    (n) => `${stamp}${repeat("blobs/upload /token /manifests/ login push pull ", n)}502 Bad Gateway`,
    classify,
  ),
  asLines(
    "transfer progress before a generic error (TRANSFER_PROGRESS)",
    (n) => `${stamp}${repeat("0123456789ab: ", n)}\n${stamp}EOF`,
    classify,
  ),
  asLines(
    "buildkit step lines, each its own step (BUILD_STEP_LINE, REGISTRY_VERTEX, BUILD_VERTEX)",
    (n) => `${stamp}#${n} ${repeat("[a] RUN #1 ", n)}\n${stamp}#${n} ERROR: EOF`,
    classify,
  ),
  asLines(
    "legacy builder steps (BUILD_STEP_LINE): each line a RUN step's output",
    (n) => `${stamp}Step 1/2 : RUN ${repeat("x ", n)}\n${stamp} ---> Running in 0a1b\n${stamp}${repeat("y ", n)}: EOF`,
    classify,
  ),
  asLines(
    "a package manager's line (NOT_REGISTRY_LINE) with a registry host",
    (n) => `${stamp}npm ERR! ${repeat("host='pypi.org' ", n)} connection reset by peer`,
    classify,
  ),
  asLines(
    "a command's output in the build (RUN_OUTPUT)",
    (n) => `${stamp}#1 1.5 ${repeat("#1 1.5 ", n)}: EOF`,
    classify,
  ),
  asLines(
    "a near-miss host in a URL (hostStatus)",
    (n) => `${stamp}Get "https://${repeat("ghcr.oi-", n)}.io/v2/": i/o timeout`,
    classify,
  ),
  asLines(
    "explained: every matched line's host and reasons (explainLog)",
    (n) => `${stamp}Get "https://${repeat("a.", n)}io/v2/": ${repeat("unknown blob ", n)}`,
    (text) => explainLog(text, {}, rules),
  ),
  eachCall(
    "a failing step's long command (REGISTRY_STEP)",
    (n) =>
      `${stamp}##[group]Run ${repeat("build a build ", n)}\n${stamp}##[endgroup]\n${stamp}EOF\n${stamp}##[error]Process completed with exit code 1.\n`,
    classify,
  ),
];

describe("the classifier's expressions are linear in the line", () => {
  for (const hostile of CLASSIFIER) {
    it(hostile.name, () => assertLinear(hostile, 360, 100_000));
  }
});

describe("the built-in expressions one by one, on lines longer than the classifier reads", () => {
  const attacks = [
    "a.",
    "l-",
    "/token?",
    "repository name (",
    "request to x",
    "manifest for x",
    "lookup a on ",
    "build a ",
    "0123456789ab: ",
    "a b ",
    "no matching manifest for x",
    "request ",
    "unknown: ",
    "#1 ",
    "[a] ",
    "host='",
    "resolve host ",
    "pinging container registry ",
    "status code ",
    ": eof",
    "image configuration: ",
    "s3://",
    "lookup a on 127.0.0.1:53: ",
    "failed to resolve source metadata for a ",
    "error building stage: ",
    "ctr ",
    "://a/docker/registry/v2/",
  ];
  const expressions: [string, RegExp][] = [
    ...BUILT_IN_RULES.map((rule): [string, RegExp] => [rule.id, new RegExp(rule.pattern, "i")]),
    ["REGISTRY_EVIDENCE", REGISTRY_EVIDENCE],
    ["REGISTRY_STEP", REGISTRY_STEP],
    ["TRANSFER_PROGRESS", TRANSFER_PROGRESS],
    ["NOT_REGISTRY_LINE", NOT_REGISTRY_LINE],
    ["RUN_OUTPUT", RUN_OUTPUT],
    ["REGISTRY_VERTEX", REGISTRY_VERTEX],
    ["BUILD_VERTEX", BUILD_VERTEX],
    ["BUILD_STEP_LINE", BUILD_STEP_LINE],
    ["REQUEST_HOST", REQUEST_HOST],
    ...HOST_PATTERNS.map((pattern, i): [string, RegExp] => [`HOST_PATTERNS[${i}]`, pattern]),
    // The global scan runs every built-in pattern over the raw text, lines of any length.
    ["the combined scan", new RegExp(rules.scan.source, "i")],
  ];
  // Without `*`, `+` or `{n,}` an attempt at one position reads a bounded number of characters, so
  // only expressions with one can grow faster than the text.
  const unbounded = /(?<!\\)[*+]|(?<!\\)\{\d+,\}/;
  for (const [name, pattern] of expressions.filter(([, pattern]) => unbounded.test(pattern.source))) {
    it(name, () => {
      for (const attack of attacks)
        assertLinear(
          eachCall(
            `${name} on ${attack}…`,
            (n) => repeat(attack, n),
            (text) => pattern.test(text),
          ),
          2000,
          50_000,
        );
    });
  }
});

describe("a host's near miss costs at most its length times a pattern's, for hosts up to 100 characters", () => {
  it("hostStatus", () =>
    assertLinear(
      eachCall(
        "hostStatus on g.g.g…",
        (n) => repeat("g.", n),
        (host) => hostStatus(host, KNOWN_REGISTRY_HOSTS),
      ),
      12,
      20_000,
    ));
});

describe("a 120 KB line of a.a.a… in a failing push step", () => {
  const hostile = "a.".repeat(60_000);
  const log = (error: string) =>
    [
      `${stamp}##[group]Run docker push ghcr.io/octo-org/app:pr-7`,
      `${stamp}##[endgroup]`,
      `${stamp}The push refers to repository [ghcr.io/octo-org/app]`,
      `${stamp}ERROR: failed to push ${hostile}`,
      `${stamp}${error}`,
      `${stamp}##[error]Process completed with exit code 1.`,
      "",
    ].join("\n");

  it("is classified by the line that says what failed, in well under a second (it took 24 s)", () => {
    const start = performance.now();
    const got = classifyLog(
      log("received unexpected HTTP status: 502 Bad Gateway"),
      { failedSteps: ["Push image"] },
      rules,
    );
    const ms = performance.now() - start;
    assert.equal(got.verdict, "transient");
    assert.equal(got.rule, "registry-server-error");
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  });

  it("says nothing of a step with no registry error", () => {
    assert.equal(classifyLog(log("Error: tests failed"), { failedSteps: ["Push image"] }, rules).verdict, "unrelated");
  });

  it("is read only up to MAX_LINE_CHARS: evidence and hosts come from the line's start", () => {
    const line = `${stamp}ERROR: failed to push ghcr.io/octo-org/app:pr-7: 502 Bad Gateway ${"x".repeat(MAX_LINE_CHARS)} lookup ghrc.io: no such host`;
    const got = classify(line);
    assert.equal(got.rule, "registry-server-error");
    assert.equal(got.host, "ghcr.io");
  });
});
