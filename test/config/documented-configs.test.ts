import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { configJsonSchema } from "../../src/config/config-docs.js";
import { followExtends } from "../../src/config/load-config.js";
import { configFileSchema } from "../../src/config/schema.js";
import { documentationFiles, fencedBlocks, type FencedBlock } from "../support/markdown-blocks.js";

/**
 * Docs that cannot rot: every Dockhand config a reader can copy from README.md or docs/*.md is valid
 * for the JSON Schema editors use and for Dockhand itself (the file reader the app and the CLI share,
 * `_extends` and all), so a renamed key or a broken example fails here first.
 */
const KEYS = new Set(Object.keys(configFileSchema.shape));
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());

/** A YAML block whose top-level keys are all Dockhand's; a workflow or compose file is not one. */
function isDockhandConfig(block: FencedBlock): boolean {
  if (!/^ya?ml$/.test(block.lang)) return false;
  let value: unknown;
  try {
    value = parse(block.text);
  } catch {
    return /^(workflows|report|retry|prune|_extends):/m.test(block.text); // broken YAML that is meant to be a config
  }
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((key) => KEYS.has(key))
  );
}

const blocks = documentationFiles().flatMap(fencedBlocks);
const configs = blocks.filter(isDockhandConfig);

describe("documented configs", () => {
  it("finds the README's example and the reference's", () => {
    const where = configs.map((block) => block.file);
    assert.ok(where.includes("README.md"), "README.md's configuration example");
    assert.ok(where.includes("docs/configuration.md"), "docs/configuration.md's example");
  });

  it("no config section is left outside a YAML block (a fence that closes too early)", () => {
    for (const file of documentationFiles()) {
      const inYaml = new Set(
        fencedBlocks(file)
          .filter((block) => /^ya?ml$/.test(block.lang))
          .flatMap((block) => block.text.split("\n").map((_, index) => block.line + 1 + index)),
      );
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (/^(workflows|report|retry|prune|_extends):/.test(line))
            assert.ok(inYaml.has(index + 1), `${file}:${index + 1}: \`${line}\` is outside a YAML block`);
        });
    }
  });

  for (const block of configs) {
    it(`${block.file}:${block.line} is valid for the JSON Schema and for Dockhand`, async () => {
      const value: unknown = parse(block.text);
      assert.ok(validate(value), `${block.file}:${block.line}: ${JSON.stringify(validate.errors)}`);
      const loaded = await followExtends(
        { label: `${block.file}:${block.line}`, fetched: { found: true, text: block.text } },
        "octo-org",
        undefined,
      );
      assert.ok(loaded.ok, `${block.file}:${block.line}: ${JSON.stringify(loaded)}`);
    });
  }
});
