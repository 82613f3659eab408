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
    const out = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { verdict: string; rule: string | null; evidence: { text: string }[] });
    assert.equal(out.length, corpus.length);
    for (const [index, result] of out.entries()) {
      assert.ok(["transient", "permanent", "unrelated"].includes(result.verdict));
      assert.ok("rule" in result);
      if (result.verdict !== "unrelated")
        assert.ok(corpus[index]!.text.includes(result.evidence[0]!.text.slice(0, 40)), "output stays in input order");
    }
  });

  it("--jsonl reads standard input, flags bad lines without stopping, and exits 1", async () => {
    const input = [
      '{"text":"ERROR: denied: permission_denied: write_package"}',
      "not json",
      '{"txt":"x"}',
      "",
      '{"text":"EOF","step":"docker push"}',
    ].join("\n");
    const { status, stdout } = await runCli(classifyCommand, ["--jsonl", "-"], input);
    assert.equal(status, 1);
    const out = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { verdict: string; rule: string | null; error?: string });
    assert.deepEqual(
      out.map((o) => o.verdict),
      ["permanent", "unrelated", "unrelated", "unrelated", "transient"],
      "one object per input line, blank ones too",
    );
    assert.match(out[1]!.error ?? "", /line 2: not valid JSON/);
    assert.match(out[2]!.error ?? "", /line 3: expected an object with a "text" string/);
    assert.match(out[3]!.error ?? "", /line 4: a blank line/);
  });

  it("applies a config file's rules, and explains an invalid one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-classify-"));
    const good = join(dir, "good.yml");
    writeFileSync(
      good,
      "retry:\n  rules:\n    - id: flaky-mirror\n      verdict: transient\n      pattern: 'mirror\\.corp: sync pending'\n      scope: self\n",
    );
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

  it("says that a config's _extends base is not read offline, and classifies with the file's own rules", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-classify-"));
    const extending = join(dir, "dockhand.yml");
    writeFileSync(
      extending,
      "_extends: octo-org/.github\nretry:\n  rules:\n    - id: flaky-mirror\n      verdict: transient\n      pattern: 'mirror\\.corp: sync pending'\n      scope: self\n",
    );
    const log = join(dir, "job.log");
    writeFileSync(log, "mirror.corp: sync pending\n");
    const result = await runCli(classifyCommand, ["--config", extending, log]);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /verdict: transient\nrule: flaky-mirror/);
    assert.match(
      result.stderr,
      /^dockhand classify: \S+dockhand\.yml extends octo-org\/\.github, which is not read offline: only this file's retry\.rules are tried\n$/,
    );
  });

  it("explains a missing file and missing arguments", async () => {
    const missing = await runCli(classifyCommand, ["/nonexistent/job.log"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read \/nonexistent\/job\.log/);
    const none = await runCli(classifyCommand, []);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give exactly one FILE/);
  });

  it("--explain shows the failing step, the rules tried, and why each matched line counted or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-explain-"));
    const log = join(dir, "job.log");
    writeFileSync(
      log,
      [
        "##[group]Run docker/build-push-action@v6",
        "##[endgroup]",
        "#11 [builder 3/6] RUN ./mvnw package",
        '#11 133.3 Exception in thread "main" java.net.ConnectException: Connection timed out',
        "#14 pushing layers",
        'Get "https://registry.corp.example/v2/": dial tcp 10.0.0.7:443: i/o timeout',
        "##[error]buildx failed with: ERROR: failed to solve: failed to push",
        "",
      ].join("\n"),
    );
    const { status, stdout } = await runCli(classifyCommand, ["--explain", log]);
    assert.equal(status, 0);
    assert.match(stdout, /^verdict: unrelated\n/);
    assert.match(
      stdout,
      /failing step, line 1: ##\[group\]Run docker\/build-push-action@v6\n +registry work: the failing step's command shows registry work/,
    );
    assert.match(stdout, /rules tried \(\d+: 0 from the repository/);
    assert.match(
      stdout,
      /line 4: #11 133\.3 .*\n +✗ does not count: registry-host-typo .*\n +✗ does not count: network-timeout \(transient\): buildkit printed it from a command the build ran/,
    );
    assert.match(
      stdout,
      /line 6: Get .*\n +host registry\.corp\.example: not a known registry \(--registry HOST makes it one\)\n/,
    );
    assert.match(
      stdout,
      /✗ does not count: network-timeout \(transient\): `registry\.corp\.example` is not a known registry/,
    );

    const declared = await runCli(classifyCommand, ["--explain", "--registry", "registry.corp.example", log]);
    assert.match(declared.stdout, /^verdict: transient\nrule: network-timeout\n/);
    assert.match(
      declared.stdout,
      /✓ counts: network-timeout \(transient\): the line shows registry work \(`:\/\/registry\.corp\.example\/v2\/`\); `registry\.corp\.example` is a known registry/,
    );
  });

  it("--explain names the repository's rules first, and with --json adds the explanation to the verdict", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-explain-"));
    const config = join(dir, "dockhand.yml");
    writeFileSync(
      config,
      "retry:\n  rules:\n    - id: flaky-mirror\n      verdict: transient\n      pattern: 'mirror\\.corp: sync pending'\n",
    );
    const log = join(dir, "job.log");
    writeFileSync(log, "mirror.corp: sync pending\n");
    const text = await runCli(classifyCommand, ["--explain", "--config", config, log]);
    assert.match(
      text.stdout,
      /rules tried \(\d+: 1 from the repository, then the built-in ones in order\):\n +flaky-mirror \(repository\), repository-name-lowercase,/,
    );
    assert.match(
      text.stdout,
      /✗ does not count: flaky-mirror \(transient\): no registry work on the line, in the 10 lines before it, or in the failing step/,
    );

    const json = JSON.parse(
      (await runCli(classifyCommand, ["--explain", "--json", "--config", config, log])).stdout,
    ) as {
      verdict: string;
      explanation: {
        step: unknown;
        rules: { id: string }[];
        passes: { name: string; lines: { matches: { rule: string; counted: boolean }[] }[] }[];
      };
    };
    assert.equal(json.verdict, "unrelated");
    assert.equal(json.explanation.step, null);
    assert.equal(json.explanation.rules[0]?.id, "flaky-mirror");
    assert.deepEqual(
      json.explanation.passes.map((p) => p.name),
      ["whole text"],
    );
    assert.deepEqual(json.explanation.passes[0]?.lines[0]?.matches, [
      {
        rule: "flaky-mirror",
        verdict: "transient",
        counted: false,
        why: "no registry work on the line, in the 10 lines before it, or in the failing step",
      },
    ]);
  });

  it("--jsonl --explain keeps one object per input line, in order, with verdict and rule", async () => {
    const input = [
      '{"text":"EOF","step":"docker push"}',
      "not json",
      '{"text":"lookup ghrc.io on 127.0.0.53:53: no such host"}',
    ].join("\n");
    const { stdout } = await runCli(classifyCommand, ["--jsonl", "--explain", "-"], input);
    const out = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { verdict: string; rule: string | null; fix?: string; explanation?: unknown });
    assert.deepEqual(
      out.map((o) => [o.verdict, o.rule]),
      [
        ["transient", "connection-dropped"],
        ["unrelated", null],
        ["permanent", "dns-unknown-host"],
      ],
    );
    assert.ok(out[0]?.explanation && out[2]?.explanation && !out[1]?.explanation);
    assert.match(out[2]?.fix ?? "", /^Did you mean `ghcr\.io`/);
  });
});
