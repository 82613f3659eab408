import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/parse-config.js";
import type { PushedImage } from "../../src/report/parse-pushed-images.js";
import { planImageChecks } from "../../src/report/plan-image-checks.js";

const pushed = (count: number, host = "ghcr.io"): PushedImage[] =>
  Array.from({ length: count }, (_, i) => ({ host, path: "octo-org/app", tag: `t${i}`, via: "buildx" as const }));
const allowed = (host: string) => host === "ghcr.io";

describe("planImageChecks", () => {
  it("looks up at most the budget, in log order, and counts the rest as unchecked", () => {
    const plan = planImageChecks(pushed(5000), [], { done: new Map(), budget: 50, isAllowed: allowed });
    assert.equal(plan.lookup.length, 50);
    assert.equal(plan.requests, 50);
    assert.equal(plan.unchecked, 4950);
    assert.deepEqual(
      plan.lookup.slice(0, 2).map(([key]) => key),
      ["ghcr.io/octo-org/app:t0", "ghcr.io/octo-org/app:t1"],
    );
  });

  it("checks expected tags the logs do not show first; expected tags that were pushed are checked as pushed", () => {
    const expected = [
      { repository: "ghcr.io/octo-org/app", tag: "pr-7", template: "pr-{number}" },
      { repository: "ghcr.io/octo-org/app", tag: "t1", template: "t1" },
    ];
    const plan = planImageChecks(pushed(3), expected, { done: new Map(), budget: 2, isAllowed: allowed });
    assert.deepEqual(
      plan.lookup.map(([key]) => key),
      ["ghcr.io/octo-org/app:pr-7", "ghcr.io/octo-org/app:t0"],
    );
    assert.equal(plan.unchecked, 2);
  });

  it("does not count tags on hosts off the allow-list (never requested), nor tags another PR had looked up", () => {
    const done = new Map([["ghcr.io/octo-org/app:t0", {}]]);
    const plan = planImageChecks([...pushed(3), ...pushed(100, "evil.example")], [], {
      done,
      budget: 1,
      isAllowed: allowed,
    });
    assert.equal(plan.requests, 1);
    assert.equal(plan.lookup.length, 101);
    assert.equal(plan.unchecked, 1);
  });

  it("checks nothing with a budget of 0", () => {
    assert.deepEqual(planImageChecks(pushed(3), [], { done: new Map(), budget: 0, isAllowed: allowed }), {
      lookup: [],
      requests: 0,
      unchecked: 3,
    });
  });
});

describe("report.maxImageChecks", () => {
  it("defaults to 50 and takes 0 to 1000", () => {
    const value = (raw: unknown) => {
      const parsed = parseConfig({ report: { maxImageChecks: raw } });
      return parsed.ok ? parsed.config.report.maxImageChecks : "invalid";
    };
    const defaults = parseConfig({});
    assert.equal(defaults.ok && defaults.config.report.maxImageChecks, 50);
    assert.deepEqual([0, 1000, -1, 1001, 2.5, "50"].map(value), [0, 1000, "invalid", "invalid", "invalid", "invalid"]);
  });
});
