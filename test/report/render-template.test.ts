import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderImage, renderTag, sanitizeBranch, templatePatternAnySha } from "../../src/report/render-template.js";

const vars = {
  number: 123,
  sha: "abc1234def5678abc1234def5678abc1234def56",
  owner: "Octo-Org",
  repo: "App",
  branch: "feature/Add_New-Feature",
};

describe("sanitizeBranch (the seeds' algorithm)", () => {
  it("matches the seeds' examples", () => {
    assert.equal(sanitizeBranch("feature/Add_New-Feature"), "feature-add_new-feature");
    assert.equal(sanitizeBranch("feature/dns/subdomain"), "feature-dns-subdomain");
    assert.equal(sanitizeBranch("feature/fix-#123"), "feature-fix-123");
  });
  it("always yields something a tag can start with, and fits with -sha7", () => {
    assert.equal(sanitizeBranch("--//weird..//"), "weird");
    const long = sanitizeBranch(`a/${"b".repeat(300)}`);
    assert.ok(long.length <= 121);
    assert.ok(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(`${long}-abc1234`));
  });
});

describe("renderTag / renderImage", () => {
  it("renders placeholders", () => {
    assert.equal(renderTag("pr-{number}-{sha7}", vars), "pr-123-abc1234");
    assert.equal(renderTag("{branch}-{sha7}", vars), "feature-add_new-feature-abc1234");
    assert.equal(renderImage("ghcr.io/{owner}/{repo}", vars), "ghcr.io/octo-org/app");
  });
  it("refuses a result that is not a valid Docker tag", () => {
    assert.equal(renderTag("{branch}", { ...vars, branch: "///" }), undefined);
    assert.equal(renderTag("{sha}{sha}{sha}{sha}", vars), undefined);
  });
  it("recognises the same tag built for another commit", () => {
    const pattern = templatePatternAnySha("pr-{number}-{sha7}", vars);
    assert.ok(pattern.test("pr-123-0000000"));
    assert.ok(!pattern.test("pr-124-0000000"));
  });
});
