import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { classifyLog } from "../../src/retry/classify-log.js";
import { compileRules } from "../../src/retry/rule-set.js";
import { readCorpus } from "../support/corpus.js";

const rules = compileRules();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/job-logs/${name}`, import.meta.url), "utf8");

describe("classifyLog on the labelled corpus", () => {
  const corpus = readCorpus();
  const results = corpus.map((line) => ({ ...line, got: classifyLog(line.text, {}, rules) }));

  it("finds transient failures with precision ≥ 0.85 and recall ≥ 0.80", (t) => {
    const tp = results.filter((r) => r.got.verdict === "transient" && r.expected === "transient").length;
    const fp = results.filter((r) => r.got.verdict === "transient" && r.expected !== "transient").length;
    const fn = results.filter((r) => r.got.verdict !== "transient" && r.expected === "transient").length;
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    t.diagnostic(
      `transient: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn}, n ${corpus.length})`,
    );
    assert.ok(precision >= 0.85, `precision ${precision}`);
    assert.ok(recall >= 0.8, `recall ${recall}`);
  });

  it("never calls a decoy (not a registry failure) transient", () => {
    const decoys = results.filter((r) => r.expected === "unrelated");
    assert.ok(decoys.length >= 9);
    assert.deepEqual(
      decoys.filter((r) => r.got.verdict === "transient").map((r) => r.text),
      [],
    );
  });

  it("gives every transient or permanent verdict a rule and evidence from the line", () => {
    for (const r of results.filter((x) => x.got.verdict !== "unrelated")) {
      assert.ok(r.got.rule, r.text);
      assert.equal(r.got.evidence.length, 1, r.text);
    }
  });
});

describe("classifyLog on lines that are not in the corpus", () => {
  const cases: [string, "transient" | "permanent" | "unrelated", string | null][] = [
    [
      'ERROR: failed to solve: failed to push ghcr.io/o/r:pr-1: failed to do request: Put "https://ghcr.io/v2/o/r/manifests/pr-1": net/http: TLS handshake timeout',
      "transient",
      "tls-handshake-timeout",
    ],
    [
      "unknown: unexpected status from HEAD request to https://ghcr.io/v2/o/r/blobs/sha256:abc: 504 Gateway Timeout",
      "transient",
      "registry-server-error",
    ],
    [
      "Error: failed to push: unexpected status from PUT request to https://quay.io/v2/o/r/manifests/x: 500 Internal Server Error",
      "transient",
      "registry-server-error",
    ],
    [
      'Get "https://ghcr.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
      "transient",
      "network-timeout",
    ],
    ["error parsing HTTP 429 response body: toomanyrequests: retry-after: 120", "transient", "rate-limited"],
    ["denied: denied", "permanent", "access-denied"],
    [
      'ERROR: invalid tag "ghcr.io/Acme/App:pr-3": repository name must be lowercase',
      "permanent",
      "repository-name-lowercase",
    ],
    ["docker: invalid reference format.", "permanent", "invalid-reference-format"],
    [
      'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io on 127.0.0.53:53: no such host',
      "transient",
      "dns-lookup-failed",
    ],
    [
      'Error response from daemon: Get "https://gchr.io/v2/": dial tcp: lookup gchr.io on 127.0.0.53:53: no such host',
      "permanent",
      "dns-unknown-host",
    ],
    ["npm ERR! 502 Bad Gateway - GET https://registry.npmjs.org/left-pad", "unrelated", null],
    [
      "ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Read timed out.",
      "unrelated",
      null,
    ],
    ["curl: (56) Recv failure: Connection reset by peer", "unrelated", null],
    ["dial tcp 127.0.0.1:5432: connect: connection refused", "unrelated", null],
    ["FAIL src/api.test.ts > returns 503 Service Unavailable when the upstream is down", "unrelated", null],
  ];
  for (const [text, verdict, rule] of cases) {
    it(`${verdict}: ${text.slice(0, 70)}`, () => {
      const got = classifyLog(text, {}, rules);
      assert.equal(got.verdict, verdict);
      assert.equal(got.rule, rule);
    });
  }
});

describe("classifyLog on whole job logs", () => {
  const cases: [string, "transient" | "permanent" | "unrelated", string | null, number | null][] = [
    ["buildx-push-502.log", "transient", "registry-server-error", 31],
    ["docker-push-eof.log", "transient", "connection-dropped", 14],
    ["invalid-reference.log", "permanent", "invalid-reference-format", 8],
    ["docker-save-missing.log", "permanent", "reference-does-not-exist", 5],
    ["test-decoys.log", "unrelated", null, 20],
    ["run-step-failed.log", "permanent", "build-step-failed", 12],
    ["dockerhub-rate-limit.log", "transient", "rate-limited", 4],
    ["write-package-denied.log", "permanent", "permission-denied-write-package", 5],
    ["outage-unauthorized.log", "transient", "registry-server-error", 6],
  ];
  for (const [name, verdict, rule, lastEvidenceLine] of cases) {
    it(`${name}: ${verdict} (${rule ?? "no rule"})`, () => {
      const got = classifyLog(fixture(name), {}, rules);
      assert.equal(got.verdict, verdict);
      assert.equal(got.rule, rule);
      assert.equal(got.evidence.at(-1)?.line, lastEvidenceLine, "evidence points at the line in the file");
      assert.doesNotMatch(got.evidence.at(-1)?.text ?? "", /^2026-|##\[error\]/, "timestamps and markers are stripped");
    });
  }

  it("reads the buildx error line first, so a cache-import miss above it does not count", () => {
    const got = classifyLog(fixture("buildx-push-502.log"), {}, rules);
    assert.equal(got.operation, "manifest");
    assert.equal(got.host, "ghcr.io");
  });

  it("treats a permanent finding as stronger than a transient one", () => {
    const got = classifyLog(fixture("run-step-failed.log"), {}, rules);
    assert.equal(got.verdict, "permanent");
    assert.match(got.cause ?? "", /RUN/);
  });

  it("uses the failed step's name as context for generic errors", () => {
    const log =
      "##[group]Run ./scripts/release.sh\n##[endgroup]\nread: connection reset by peer\n##[error]Process completed with exit code 1.\n";
    assert.equal(classifyLog(log, {}, rules).verdict, "unrelated");
    assert.equal(classifyLog(log, { failedSteps: ["Push image to GHCR"] }, rules).verdict, "transient");
    assert.equal(classifyLog(log, { failedSteps: ["Run integration tests"] }, rules).verdict, "unrelated");
  });

  it("strips ANSI colours and Windows line ends", () => {
    const log = "\u001b[31mERROR: failed to push ghcr.io/o/r:x: 503 Service Unavailable\u001b[0m\r\n";
    assert.equal(classifyLog(log, {}, rules).verdict, "transient");
  });

  it("checks repository rules first, and a permanent one beats a built-in transient one", () => {
    const custom = compileRules([
      {
        id: "harbor-proxy",
        verdict: "permanent",
        operation: "push",
        pattern: String.raw`ourharbor\.com.*connection reset`,
        scope: "self",
        fix: "use the mirror",
      },
    ]);
    const line =
      'failed to do request: Put "https://ourharbor.com/v2/app/blobs/uploads/x": write: connection reset by peer';
    assert.equal(classifyLog(line, {}, rules).verdict, "transient");
    const got = classifyLog(line, {}, custom);
    assert.equal(got.verdict, "permanent");
    assert.equal(got.rule, "harbor-proxy");
    assert.equal(got.fix, "use the mirror");
  });

  it("treats extra registry hosts as known for DNS blips", () => {
    const line = 'Get "https://registry.corp.example/v2/": dial tcp: lookup registry.corp.example: no such host';
    assert.equal(classifyLog(line, {}, rules).verdict, "permanent");
    assert.equal(classifyLog(line, {}, compileRules([], ["registry.corp.example"])).verdict, "transient");
  });
});
