import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseImageRef } from "../../src/registry/image-ref.js";
import { parsePushedImages } from "../../src/report/parse-pushed-images.js";
import { renderTemplate, sanitizeBranch, templatePatternAnySha } from "../../src/report/render-template.js";
import { MAX_LINE_CHARS } from "../../src/retry/log-line.js";
import { asLines, assertLinear, eachCall, type HostileCase } from "../support/linear-time.js";

const stamp = "2026-11-20T11:00:00.0000000Z ";
const repeat = (piece: string, unit: number) => piece.repeat(Math.max(1, Math.floor(unit / piece.length)));
const vars = {
  number: 7,
  sha: "abc1234def5678abc1234def5678abc1234def56",
  owner: "octo-org",
  repo: "app",
  branch: "main",
};

/** Each expression the report applies to log lines, a branch name or a template, where it backtracks worst. */
const HOSTILE: HostileCase[] = [
  asLines(
    "buildx push line: pushing manifest for …@…@…",
    (n) => `${stamp}#14 pushing manifest for ${repeat("a@sha256:", n)}`,
    parsePushedImages,
  ),
  asLines(
    "podman command: spaces, then a line separator (PODMAN_COMMAND)",
    (n) => `${stamp}podman push${" ".repeat(n)}x\u2028y`,
    parsePushedImages,
  ),
  asLines(
    "docker push repository and digest lines",
    (n) =>
      `${stamp}The push refers to repository [${repeat("a", n)}\n${stamp}${repeat("a", 100)}: digest: sha256:${repeat("0", n)}`,
    parsePushedImages,
  ),
  asLines("timestamp and ANSI codes without an end", (n) => `${stamp}\u001b[${repeat("1;", n)}`, parsePushedImages),
  eachCall("image reference: a.a.a… with no valid end", (n) => `${repeat("a.", n)}!`, parseImageRef),
  eachCall("image reference: host labels a-a-a…", (n) => `${repeat("a-", n)}/x:`, parseImageRef),
  eachCall("image reference: path separators a__a__…", (n) => `ghcr.io/${repeat("a__", n)}_`, parseImageRef),
  eachCall("branch name: .-.-.- runs (sanitizeBranch)", (n) => `x${repeat(".-", n)}y`, sanitizeBranch),
  eachCall(
    "template: unclosed placeholders {a{a{a…",
    (n) => repeat("{a", n),
    (template) => renderTemplate(template, vars),
  ),
  eachCall(
    "template for any SHA, against a long tag",
    (n) => ({
      pattern: templatePatternAnySha(`pr-{number}-{sha7}${"-x".repeat(50)}`, vars),
      tag: `pr-7-${repeat("abc1234-x", n)}`,
    }),
    ({ pattern, tag }) => pattern.test(tag),
  ),
];

describe("the report's expressions are linear in their input", () => {
  for (const hostile of HOSTILE) it(hostile.name, () => assertLinear(hostile, 360, 100_000));
});

describe("parsePushedImages reads a line up to MAX_LINE_CHARS", () => {
  it("finds a push that a long line does not hide, and ignores what lies past the bound", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const log = [
      `${stamp}#14 pushing manifest for ghcr.io/octo-org/app:pr-7@${digest} 0.4s done`,
      `${stamp}${"x".repeat(MAX_LINE_CHARS)} pushing manifest for ghcr.io/octo-org/app:hidden@${digest}`,
    ].join("\n");
    assert.deepEqual(
      parsePushedImages(log).map((image) => image.tag),
      ["pr-7"],
    );
  });
});
