import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { documentationFiles } from "./support/markdown-blocks.js";

/** Every relative link of README.md and docs/*.md leads to a file of the repository, as a reader on GitHub follows it. */
describe("documentation links", () => {
  it("point inside the repository, at files that exist", () => {
    const root = resolve(".");
    const broken: string[] = [];
    for (const file of documentationFiles()) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (match[1] ?? "").split("#")[0] ?? "";
        if (!target || /^[a-z]+:/i.test(target)) continue;
        const path = resolve(dirname(file), target);
        if (relative(root, path).startsWith("..") || !existsSync(path)) broken.push(`${file}: ${match[1]}`);
      }
      // A path outside the repository named in prose is a link no reader can follow either.
      for (const match of text.matchAll(/`(\.\.\/shared\/[^`]*)`/g)) broken.push(`${file}: ${match[1]}`);
    }
    assert.deepEqual(broken, []);
    assert.ok(existsSync(join(root, "test/fixtures/registry-errors.jsonl")));
  });
});
