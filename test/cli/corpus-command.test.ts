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
    assert.match(stdout, /, 4 lines\n/);
    assert.match(
      stdout,
      /\| transient \| 1 \| 0 \| 1 \|\n\| permanent \| 0 \| 1 \| 0 \|\n\| unrelated \| 0 \| 0 \| 1 \|/,
    );
    assert.match(stdout, /transient: precision 1\.000 \(1\/1\), recall 0\.500 \(1\/2\)/);
    assert.match(stdout, /non-registry lines called transient: 0/);
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

  it("names the file and line of a malformed entry, and explains its usage", async () => {
    const bad = file(`${line("EOF", "TRANSIENT")}\n{"text":"x","label":"FLAKY"}\n`);
    const result = await runCli(corpusCommand, ["score", bad]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /lines\.jsonl: line 2: "label" must be one of TRANSIENT, PERMANENT, NON_REGISTRY/);
    const missing = await runCli(corpusCommand, ["score", "/nonexistent.jsonl"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nonexistent\.jsonl: ENOENT/);
    const none = await runCli(corpusCommand, ["score"]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give score and at least one FILE/);
  });
});
