import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { corpusCommand } from "../../src/cli/corpus-command.js";
import { compileRules } from "../../src/retry/rule-set.js";
import { parseCorpus, scoreCorpus } from "../../src/retry/corpus-score.js";
import { runCli } from "../support/cli.js";
import { CORPUS_PATH, readCorpus } from "../support/corpus.js";

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "dockhand-corpus-")), "lines.jsonl");
  writeFileSync(path, text);
  return path;
};
const line = (text: string, label: string, source = "o/r#1") =>
  JSON.stringify({ text, label, source, tool: "docker", note: "why" });

describe("dockhand corpus score", () => {
  it("prints the confusion matrix, precision and recall, and every miss with its source", async () => {
    const path = file(
      [
        line("received unexpected HTTP status: 502 Bad Gateway", "TRANSIENT"),
        line("denied: requested access to the resource is denied", "PERMANENT"),
        line("npm ERR! 429 Too Many Requests - GET https://registry.npmjs.org/x", "NON_REGISTRY"),
        line("Error: Docker pull failed with exit code 1", "TRANSIENT", "o/r#4"),
        "",
      ].join("\n"),
    );
    const { status, stdout } = await runCli(corpusCommand, ["score", path]);
    assert.equal(status, 0);
    assert.match(stdout, /, 4 entries\n/);
    assert.match(
      stdout,
      /\| transient \| 1 \| 0 \| 1 \|\n\| permanent \| 0 \| 1 \| 0 \|\n\| unrelated \| 0 \| 0 \| 1 \|/,
    );
    assert.match(stdout, /transient: precision 1\.000 \(1\/1\), recall 0\.500 \(1\/2\)/);
    assert.match(stdout, /non-registry lines called transient: 0/);
    assert.match(stdout, /\| registry-server-error \| transient \| 1 \| 0 \| 0 \| 1\.00 \|\n/);
    assert.match(stdout, /\| access-denied \| permanent \| 0 \| 1 \| 0 \| 1\.00 \|\n/);
    assert.match(stdout, /Misses:\n- transient → unrelated: Error: Docker pull failed with exit code 1 \(o\/r#4\)\n$/);
  });

  it("scores several files together, as JSON with --json, the same as the scoring code the tests and bench use", async () => {
    const extra = file(`${line("EOF", "TRANSIENT")}\n`);
    const { stdout } = await runCli(corpusCommand, ["score", "--json", CORPUS_PATH, extra]);
    const score = JSON.parse(stdout) as { lines: number; transient: { fn: number } };
    const direct = scoreCorpus([...readCorpus(), ...parseCorpus(`${line("EOF", "TRANSIENT")}\n`)], compileRules());
    assert.deepEqual(score, JSON.parse(JSON.stringify(direct)));
    assert.equal(score.lines, readCorpus().length + 1);
  });

  it("takes the repository's rules and extra registries like classify does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-corpus-"));
    const config = join(dir, "dockhand.yml");
    writeFileSync(
      config,
      "retry:\n  rules:\n    - id: flaky-mirror\n      verdict: transient\n      pattern: 'mirror\\.corp: sync pending'\n      scope: self\n",
    );
    const path = file(
      `${line("mirror.corp: sync pending", "TRANSIENT")}\n${line('Get "https://registry.corp.example/v2/": dial tcp 10.0.0.7:443: i/o timeout', "TRANSIENT")}\n`,
    );
    const plain = await runCli(corpusCommand, ["score", path]);
    assert.match(plain.stdout, /recall 0\.000 \(0\/2\)/);
    const tuned = await runCli(corpusCommand, [
      "score",
      "--config",
      config,
      "--registry",
      "registry.corp.example",
      path,
    ]);
    assert.match(tuned.stdout, /recall 1\.000 \(2\/2\)/);
  });

  it("classifies an entry with a log as the app classifies its step, and its line alone with --line-only", async () => {
    const step = (log: string[], label: string, extra: object = {}) =>
      JSON.stringify({ text: log.at(-1), log, label, source: "o/r#9", tool: "docker", note: "why", ...extra });
    const path = file(
      [
        // A bare EOF says nothing alone; after a push's transfer progress it is the push's.
        step(
          ["The push refers to repository [ghcr.io/o/app]", "5f70bf18a086: Pushing [==>     ]  1.2MB/40MB", "EOF"],
          "TRANSIENT",
        ),
        // The step's name is registry work, so its bare reset is the push's too.
        step(["Pushing image", "read: connection reset by peer"], "TRANSIENT", {
          step: "docker push ghcr.io/o/app:pr-1",
        }),
        // An npm timeout inside a RUN step stays the build's, whatever the step is called.
        step(
          [
            "#9 [3/5] RUN npm ci",
            "#9 41.02 npm ERR! network request to https://registry.npmjs.org/x failed, reason: ETIMEDOUT",
          ],
          "NON_REGISTRY",
          { step: "Build and push" },
        ),
        "",
      ].join("\n"),
    );
    const asSteps = await runCli(corpusCommand, ["score", path]);
    assert.match(asSteps.stdout, /, 3 entries \(3 classified by their step's log\)\n/);
    assert.match(asSteps.stdout, /transient: precision 1\.000 \(2\/2\), recall 1\.000 \(2\/2\)/);
    assert.match(asSteps.stdout, /non-registry lines called transient: 0/);
    const lineOnly = await runCli(corpusCommand, ["score", "--line-only", path]);
    assert.match(lineOnly.stdout, /, 3 entries\n/);
    assert.match(lineOnly.stdout, /transient: precision — \(0\/0\), recall 0\.000 \(0\/2\)/);
    // Per rule: the one that decided the two flakes by their step, with the labels of what it decided.
    const json = JSON.parse((await runCli(corpusCommand, ["score", "--json", path])).stdout) as {
      byRule: { rule: string; verdict: string; labels: Record<string, number>; precision: number }[];
    };
    assert.deepEqual(json.byRule, [
      {
        rule: "connection-dropped",
        verdict: "transient",
        labels: { transient: 2, permanent: 0, unrelated: 0 },
        precision: 1,
      },
    ]);
  });

  it("names the file and line of a malformed entry, and explains its usage", async () => {
    const bad = file(`${line("EOF", "TRANSIENT")}\n{"text":"x","label":"FLAKY"}\n`);
    const result = await runCli(corpusCommand, ["score", bad]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /lines\.jsonl: line 2: "label" must be one of TRANSIENT, PERMANENT, NON_REGISTRY/);
    const badLog = file(`${JSON.stringify({ text: "EOF", label: "TRANSIENT", log: "EOF" })}\n`);
    assert.match(
      (await runCli(corpusCommand, ["score", badLog])).stderr,
      /line 1: "log", when given, must be a non-empty array of strings/,
    );
    const missing = await runCli(corpusCommand, ["score", "/nonexistent.jsonl"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nonexistent\.jsonl: ENOENT/);
    const none = await runCli(corpusCommand, ["score"]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give score and at least one FILE/);
  });
});
