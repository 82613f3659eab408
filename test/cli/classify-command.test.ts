import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { classifyCommand } from "../../src/cli/classify-command.js";
import { runCli } from "../support/cli.js";
import { CORPUS_PATH, readCorpus } from "../support/corpus.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/job-logs/${name}`, import.meta.url));

describe("dockhand classify", () => {
  it("prints the verdict, rule and evidence for a whole log", async () => {
    const { status, stdout } = await runCli(classifyCommand, [fixture("buildx-push-502.log")]);
    assert.equal(status, 0);
    assert.match(stdout, /^verdict: transient\nrule: registry-server-error\n/);
    assert.match(stdout, /line 31: buildx failed with: .*502 Bad Gateway/);
  });

  it("prints JSON with --json", async () => {
    const { stdout } = await runCli(classifyCommand, ["--json", fixture("write-package-denied.log")]);
    const result = JSON.parse(stdout) as { verdict: string; rule: string; fix: string };
    assert.equal(result.verdict, "permanent");
    assert.equal(result.rule, "permission-denied-write-package");
    assert.match(result.fix, /packages: write/);
  });

  it("--jsonl prints one object per input line, in order", async () => {
    const corpus = readCorpus();
    const { status, stdout } = await runCli(classifyCommand, ["--jsonl", CORPUS_PATH]);
    assert.equal(status, 0);
    const out = stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { verdict: string; rule: string | null; evidence: { text: string }[] });
    assert.equal(out.length, corpus.length);
    for (const [index, result] of out.entries()) {
      assert.ok(["transient", "permanent", "unrelated"].includes(result.verdict));
      assert.ok("rule" in result);
      if (result.verdict !== "unrelated") assert.ok(corpus[index]!.text.includes(result.evidence[0]!.text.slice(0, 40)), "output stays in input order");
    }
  });

  it("--jsonl reads standard input, flags bad lines without stopping, and exits 1", async () => {
    const input = ['{"text":"ERROR: denied: permission_denied: write_package"}', "not json", '{"txt":"x"}', "", '{"text":"EOF","step":"docker push"}'].join("\n");
    const { status, stdout } = await runCli(classifyCommand, ["--jsonl", "-"], input);
    assert.equal(status, 1);
    const out = stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { verdict: string; rule: string | null; error?: string });
    assert.deepEqual(out.map((o) => o.verdict), ["permanent", "unrelated", "unrelated", "transient"]);
    assert.match(out[1]!.error ?? "", /line 2: not valid JSON/);
    assert.match(out[2]!.error ?? "", /line 3: expected an object with a "text" string/);
  });

  it("applies a config file's rules, and explains an invalid one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-classify-"));
    const good = join(dir, "good.yml");
    writeFileSync(good, "retry:\n  rules:\n    - id: flaky-mirror\n      verdict: transient\n      pattern: 'mirror\\.corp: sync pending'\n      scope: self\n");
    const log = join(dir, "job.log");
    writeFileSync(log, "mirror.corp: sync pending\n");
    const { stdout } = await runCli(classifyCommand, ["--config", good, log]);
    assert.match(stdout, /verdict: transient\nrule: flaky-mirror/);

    const bad = join(dir, "bad.yml");
    writeFileSync(bad, "retry:\n  rules:\n    - id: broken\n      verdict: transient\n      pattern: '(unclosed'\n");
    const failed = await runCli(classifyCommand, ["--config", bad, log]);
    assert.equal(failed.status, 2);
    assert.match(failed.stderr, /retry\.rules\[0\]\.pattern: not a valid regular expression/);
  });

  it("explains a missing file and missing arguments", async () => {
    const missing = await runCli(classifyCommand, ["/nonexistent/job.log"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read \/nonexistent\/job\.log/);
    const none = await runCli(classifyCommand, []);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give exactly one FILE/);
  });
});
