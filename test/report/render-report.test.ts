import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_COMMENT_LENGTH, renderComment } from "../../src/report/render-report.js";
import { applyRun, decodeState, type ReportState } from "../../src/report/report-state.js";
import type { RunReport } from "../../src/report/run-report.js";

const HEAD = "f".repeat(40);

function run(overrides: Partial<RunReport> = {}): RunReport {
  return {
    workflowKey: "77", workflowName: "CI", runId: 1, runNumber: 1, attempt: 1, runUrl: "https://github.com/o/r/actions/runs/1",
    event: "pull_request", conclusion: "success", headSha: HEAD, completedAt: "2026-11-20T00:00:00Z", origin: "same-repo",
    images: [], expectedTags: [], artifacts: [], notes: [], ...overrides,
  };
}

function image(i: number): RunReport["images"][number] {
  return { repository: "ghcr.io/octo-org/app", tag: `t-${i}-${"x".repeat(100)}`, digest: `sha256:${"1".repeat(64)}`, via: "buildx", job: "build", check: { status: "verified", platforms: ["linux/amd64"], attestations: 1 } };
}

describe("renderComment", () => {
  it("stays under GitHub's limit, dropping old history before current detail", () => {
    let state: ReportState | undefined;
    for (let id = 1; id <= 200; id++) state = applyRun(state, run({ runId: id, runNumber: id, images: [image(id)] }), HEAD, []);
    const body = renderComment(state!, { repository: "o/r" });
    assert.ok(body.length <= MAX_COMMENT_LENGTH, `length ${body.length}`);
    const kept = decodeState(body)!;
    assert.equal(kept.runs[0]?.runId, 200, "the current run is kept");
    assert.ok(kept.runs.length < 200);
    assert.match(body, /run #200/);
  });

  it("limits long lists in one run and says how many were left out", () => {
    const huge = run({ images: Array.from({ length: 2000 }, (_, i) => image(i)) });
    const body = renderComment(applyRun(undefined, huge, HEAD, []), { repository: "o/r" });
    assert.ok(body.length <= MAX_COMMENT_LENGTH);
    assert.match(body, /…and \d+ more images\./);
    assert.ok(decodeState(body), "the state still reads back");
  });

  it("is a pure function of its state: the same state renders the same body", () => {
    const state = applyRun(undefined, run({ images: [image(1)] }), HEAD, []);
    assert.equal(renderComment(state, { repository: "o/r" }), renderComment(structuredClone(state), { repository: "o/r" }));
  });

  it("replaces a redelivered attempt instead of adding it twice", () => {
    const once = applyRun(undefined, run(), HEAD, []);
    assert.deepEqual(applyRun(once, run(), HEAD, []), once);
  });

  it("treats unreadable state as none", () => {
    assert.equal(decodeState("<!-- dockhand:state bm90IGpzb24= -->"), undefined);
    assert.equal(decodeState("<!-- dockhand:state eyJ2IjoyfQ== -->"), undefined);
  });
});
