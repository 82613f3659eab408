import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { documentationFiles, fencedBlocks, inlineCode } from "../support/markdown-blocks.js";

/**
 * Every `dockhand …` command a reader can copy from README.md or docs/*.md (shell blocks, a workflow's
 * `run:` lines, inline code) parses with the CLI's real flags: it is run through the real entry point
 * with `--help` added, which exits 0 only when every option before it is one the command knows and
 * has its value.
 */
const run = promisify(execFile);
const INVOCATION = /(?:^|[\s(])(?:npx\s+)?(?:dockhand|\S*cli\/main\.js)\s+([a-z][a-z-]*)\b(.*)$/;

interface Invocation {
  where: string;
  argv: string[];
}

/** Shell words up to the end of the simple command (`&&`, `|`, `;`, `#`, a redirect), quotes removed. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(&&|\|\|?|;|#|[<>])|([^\s"';|&#<>]+)/g)) {
    if (match[3]) break;
    out.push(match[1] ?? match[2] ?? match[4] ?? "");
  }
  return out;
}

function invocations(): Invocation[] {
  const found: Invocation[] = [];
  const add = (where: string, line: string) => {
    const match = INVOCATION.exec(line);
    if (match?.[1]) found.push({ where, argv: [match[1], ...words(match[2] ?? "")] });
  };
  for (const file of documentationFiles()) {
    for (const block of fencedBlocks(file)) {
      const shell = /^(sh|bash|shell|console)$/.test(block.lang);
      const yaml = /^ya?ml$/.test(block.lang);
      if (!shell && !yaml) continue;
      block.text
        .replace(/\\\n\s*/g, " ")
        .split("\n")
        .forEach((line, index) => {
          if (shell || /^\s*-?\s*run:/.test(line))
            add(`${file}:${block.line + 1 + index}`, line.replace(/^\s*-?\s*run:\s*/, ""));
        });
    }
    for (const span of inlineCode(file)) add(`${file}:${span.line}`, span.text);
  }
  return found;
}

const found = invocations();

describe("documented dockhand commands", () => {
  it("finds the README's and docs' commands", () => {
    const commands = new Set(found.map((i) => i.argv[0]));
    for (const command of ["classify", "plan", "prune", "restore"])
      assert.ok(commands.has(command), `no documented \`dockhand ${command}\``);
    assert.ok(
      found.some((i) => i.argv.includes("--config") && i.argv[0] === "prune"),
      "the workflow recipe's prune --config",
    );
  });

  for (const invocation of found) {
    it(`${invocation.where}: dockhand ${invocation.argv.join(" ")}`, async () => {
      const result = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...invocation.argv, "--help"], {
        env: { ...process.env, GITHUB_TOKEN: "" },
      }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code ?? 1, stderr: error.stderr ?? "" }),
      );
      assert.equal(result.code, 0, `${invocation.where}: ${result.stderr.trim()}`);
    });
  }
});
