import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeConfig } from "../../src/config/load-config.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { isSelectedRun } from "../../src/config/select-workflow-run.js";

describe("parseConfig", () => {
  it("fills every default from an empty or missing file", () => {
    const parsed = parseConfig(null);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.config.workflows, { events: ["pull_request"], names: [], paths: [] });
    assert.equal(parsed.config.report.maxJobLogs, 20);
  });

  it("names the key and the problem, and suggests the allowed keys", () => {
    const parsed = parseConfig({ report: { maxJobLogs: 500, expectedTags: ["{nope}"], enabeld: true } });
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.problems.map((p) => p.key).sort(), [
      "report.enabeld",
      "report.expectedTags[0]",
      "report.maxJobLogs",
    ]);
    assert.match(
      parsed.problems.find((p) => p.key === "report.enabeld")!.message,
      /allowed here: enabled, expectedTags/,
    );
    assert.match(
      parsed.problems.find((p) => p.key === "report.expectedTags[0]")!.message,
      /unknown placeholder \{nope\}/,
    );
  });

  it("rejects a file that is not a mapping", () => {
    const parsed = parseConfig(["a"]);
    assert.ok(!parsed.ok);
    assert.equal(parsed.problems[0]?.key, "(file)");
  });
});

describe("mergeConfig (_extends)", () => {
  it("merges objects and replaces lists", () => {
    assert.deepEqual(
      mergeConfig({ report: { expectedTags: ["a"], maxJobLogs: 5 } }, { report: { expectedTags: ["b"] } }),
      { report: { expectedTags: ["b"], maxJobLogs: 5 } },
    );
  });
});

describe("isSelectedRun", () => {
  const selector = { events: ["pull_request"], names: [], paths: [] };
  it("selects by event by default", () => {
    assert.ok(isSelectedRun(selector, { event: "pull_request", name: "CI", path: ".github/workflows/ci.yml" }));
    assert.ok(!isSelectedRun(selector, { event: "push", name: "CI", path: ".github/workflows/ci.yml" }));
  });
  it("selects by name or path glob when given", () => {
    const named = { ...selector, names: ["Docker*"], paths: [".github/workflows/images-*.yml"] };
    assert.ok(isSelectedRun(named, { event: "pull_request", name: "Docker Build", path: "x" }));
    assert.ok(isSelectedRun(named, { event: "pull_request", name: "x", path: ".github/workflows/images-pr.yml" }));
    assert.ok(!isSelectedRun(named, { event: "pull_request", name: "CI", path: ".github/workflows/ci.yml" }));
  });
});
