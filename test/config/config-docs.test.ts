import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { configJsonSchema, configMarkdown } from "../../src/config/config-docs.js";
import { retryRulesMarkdown } from "../../src/retry/rules-docs.js";

describe("committed config docs", () => {
  it("docs/configuration.md matches the schema (run `npm run schema`)", () => {
    assert.equal(readFileSync("docs/configuration.md", "utf8"), configMarkdown());
  });
  it("docs/dockhand.schema.json matches the schema (run `npm run schema`)", () => {
    assert.deepEqual(JSON.parse(readFileSync("docs/dockhand.schema.json", "utf8")), configJsonSchema());
  });
  it("docs/retry-rules.md matches the built-in rules (run `npm run schema`)", () => {
    assert.equal(readFileSync("docs/retry-rules.md", "utf8"), retryRulesMarkdown());
  });
  it("documents every key", () => {
    for (const key of [
      "workflows.events",
      "workflows.names",
      "workflows.paths",
      "report.enabled",
      "report.expectedTags",
      "report.images",
      "report.imageArtifacts",
      "report.maxJobLogs",
      "retry.mode",
      "retry.maxAttempts",
      "retry.mixed",
      "retry.backoff.initialSeconds",
      "retry.dailyBudget",
      "retry.rules",
    ]) {
      assert.match(configMarkdown(), new RegExp(`\\| \`${key.replaceAll(".", "\\.")}\` \\|`));
    }
  });
});
