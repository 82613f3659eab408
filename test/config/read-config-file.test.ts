import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readConfigFile } from "../../src/config/read-config-file.js";
import { CONFIG_MAX_BYTES } from "../../src/config/parse-config-yaml.js";

/** The CLI's `--config FILE` is read within the same bounds as a repository's file. */
describe("readConfigFile", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "dockhand-config-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: { name: string; content?: string; path?: string; problem?: RegExp }[] = [
    { name: "a valid file", content: "retry:\n  mode: off\n" },
    {
      name: "a file over the cap, by its size",
      content: `# ${"x".repeat(CONFIG_MAX_BYTES)}\n`,
      problem: new RegExp(
        `^\\(file\\): .*big\\.yml is ${CONFIG_MAX_BYTES + 3} bytes; the limit is ${CONFIG_MAX_BYTES} bytes \\(32 KiB\\)`,
      ),
    },
    {
      name: "a stream that never ends, read only to the cap",
      path: "/dev/zero",
      problem: /^\(file\): \/dev\/zero is larger than the limit of 32768 bytes \(32 KiB\)/,
    },
    { name: "flow nesting 10,000 deep", content: "[".repeat(10_000), problem: /nests deeper than 16 levels/ },
    { name: "duplicate keys", content: "retry: {}\nretry: {}\n", problem: /^retry: duplicate key at line 2, column 1/ },
    {
      name: "a missing file",
      path: "/nonexistent/dockhand.yml",
      problem: /^\(file\): cannot read \/nonexistent\/dockhand\.yml: ENOENT/,
    },
  ];
  for (const { name, content, path, problem } of cases) {
    it(name, async () => {
      const file = path ?? join(dir, problem ? "big.yml" : "ok.yml");
      if (content !== undefined) await writeFile(file, content);
      const parsed = await readConfigFile(file);
      if (!problem) return assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.ok(!parsed.ok);
      assert.match(`${parsed.problems[0]!.key}: ${parsed.problems[0]!.message}`, problem);
    });
  }
});
