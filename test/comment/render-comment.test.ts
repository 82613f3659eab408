import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { applyRun, emptyState, type CommentState } from "../../src/comment/comment-state.js";
import { STATE_BUDGET } from "../../src/comment/fit-state.js";
import { MAX_COMMENT_LENGTH, renderComment } from "../../src/comment/render-comment.js";
import type { RunReport } from "../../src/report/run-report.js";
import { commentFor, pullKey, runReport, stateOf, testSeal } from "../support/comment-state.js";

const HEAD = "f".repeat(40);
const PULL = pullKey("o/r", 1);

function image(i: number, platforms = ["linux/amd64"]): RunReport["images"][number] {
  return {
    repository: "ghcr.io/octo-org/app",
    tag: `t-${i}-${"x".repeat(100)}`,
    digest: `sha256:${"1".repeat(64)}`,
    via: "buildx",
    job: "build",
    check: { status: "verified", platforms, attestations: 1 },
  };
}

/** The body fits GitHub, its last line is the state, and the state opens. */
function assertWellFormed(body: string): CommentState {
  assert.ok(body.length <= MAX_COMMENT_LENGTH, `length ${body.length}`);
  const lastLine = body.slice(body.lastIndexOf("\n") + 1);
  assert.ok(
    lastLine.startsWith("<!-- dockhand:state v2 ") && lastLine.length <= STATE_BUDGET,
    `state line of ${lastLine.length}`,
  );
  const state = stateOf(body, PULL);
  assert.ok(state, "the state reads back");
  return state;
}

describe("renderComment", () => {
  it("keeps the latest image a workflow pushed for the head, with its commands, after a later attempt failed without pushing", () => {
    const pushed = runReport({
      runId: 10,
      runNumber: 10,
      images: [image(1)],
      artifacts: [
        {
          id: 5,
          name: "docker-image",
          sizeInBytes: 10,
          digest: null,
          expiresAt: null,
          expired: false,
          url: "https://github.com/o/r/actions/runs/10/artifacts/5",
          holdsImage: true,
        },
      ],
    });
    const failed = runReport({
      runId: 10,
      runNumber: 10,
      attempt: 2,
      conclusion: "failure",
      notes: [{ code: "run-not-successful" }],
    });
    const body = commentFor(applyRun(applyRun(undefined, pushed, HEAD, []), failed, HEAD, []), PULL);
    const [current = "", earlier = ""] = body.split("Earlier runs");
    assert.match(current, /#### `CI` \[run #10, attempt 2\]/);
    assert.match(
      current,
      /\*\*Latest images for this commit\*\*, pushed by \[run #10\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/1\); this run pushed none\./,
    );
    assert.match(current, /`ghcr\.io\/octo-org\/app:t-1-x+`/);
    assert.match(current, /docker pull ghcr\.io\/octo-org\/app@sha256:1{64}/);
    assert.match(current, /gh run download 10 -R o\/r -n docker-image -D docker-image && docker load/);
    assert.match(earlier, /run #10\]/);

    // Not once the attempt pushed its own, nor once the PR's head moved on, nor when the image is gone.
    const repushed = commentFor(
      applyRun(
        applyRun(undefined, pushed, HEAD, []),
        { ...failed, conclusion: "success", images: [image(2)] },
        HEAD,
        [],
      ),
      PULL,
    );
    assert.doesNotMatch(repushed, /Latest images for this commit/);
    const moved = commentFor(
      applyRun(
        applyRun(undefined, pushed, HEAD, []),
        { ...failed, runId: 11, headSha: "e".repeat(40) },
        "e".repeat(40),
        [],
      ),
      PULL,
    );
    assert.doesNotMatch(moved, /Latest images for this commit/);
    const gone = commentFor(
      applyRun(
        applyRun(undefined, { ...pushed, images: [{ ...image(1), check: { status: "missing" } }] }, HEAD, []),
        failed,
        HEAD,
        [],
      ),
      PULL,
    );
    assert.doesNotMatch(gone, /Latest images for this commit/);
  });

  it("stays under GitHub's limit, dropping old history before current detail", () => {
    let state: CommentState | undefined;
    for (let id = 1; id <= 200; id++)
      state = applyRun(state, runReport({ runId: id, runNumber: id, images: [image(id)] }), HEAD, []);
    const body = commentFor(state!, PULL);
    const kept = assertWellFormed(body);
    assert.equal(kept.runs[0]?.runId, 200, "the current run is kept");
    assert.ok(kept.runs.length < 200);
    assert.match(body, /run #200/);
  });

  it("limits long lists in one run and says how many were left out", () => {
    const body = commentFor(
      applyRun(undefined, runReport({ images: Array.from({ length: 2000 }, (_, i) => image(i)) }), HEAD, []),
      PULL,
    );
    assertWellFormed(body);
    assert.match(body, /…and \d+ more images\./);
  });

  it("keeps its state for a 3,000-platform index", () => {
    const platforms = Array.from({ length: 3000 }, (_, i) => `linux/arch-${i}-${"v".repeat(20)}`);
    const body = commentFor(applyRun(undefined, runReport({ images: [image(1, platforms)] }), HEAD, []), PULL);
    const state = assertWellFormed(body);
    assert.equal(state.runs[0]?.images.length, 1);
    assert.match(body, /and \d+ more/);
  });

  it("keeps its state, and every workflow it can, with many config problems and many workflows", () => {
    const problems = Array.from({ length: 500 }, (_, i) => ({
      key: `retry.rules[${i}].pattern`,
      message: "m".repeat(2000),
    }));
    let state: CommentState | undefined;
    for (let w = 1; w <= 300; w++) {
      state = applyRun(
        state,
        runReport({
          workflowKey: String(w),
          workflowName: `workflow ${w} ${"n".repeat(300)}`,
          runId: w,
          images: Array.from({ length: 20 }, (_, i) => image(i)),
        }),
        HEAD,
        problems,
      );
    }
    const body = commentFor(state!, PULL);
    const kept = assertWellFormed(body);
    assert.equal(kept.configProblems.length, 20, "problems are capped, with a count of the rest");
    assert.match(kept.configProblems.at(-1)?.message ?? "", /and 481 more problems/);
    assert.ok(kept.runs.length > 0 && kept.runs.length <= 300);
    assert.ok(
      kept.runs.every((r) => r.workflowName.length <= 513),
      "strings in the state are cut",
    );
    assert.match(body, /left out to fit GitHub's comment size limit/);
  });

  it("seals the state once: the seal that measured the fitted state is the one written", () => {
    let seals = 0;
    const body = renderComment(applyRun(undefined, runReport(), HEAD, []), { repository: "o/r" }, (s) => {
      seals += 1;
      return testSeal.seal(s, PULL);
    });
    assert.equal(seals, 1);
    assertWellFormed(body);
  });

  it("is a pure function of its state: the same state renders the same body", () => {
    const state = applyRun(undefined, runReport({ images: [image(1)] }), HEAD, []);
    assert.equal(commentFor(state, PULL), commentFor(structuredClone(state), PULL));
  });

  it("replaces a redelivered attempt instead of adding it twice", () => {
    const once = applyRun(undefined, runReport(), HEAD, []);
    assert.deepEqual(applyRun(once, runReport(), HEAD, []), once);
  });

  it("fits any state: the body is within the limit and its state opens (property)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 3000 });
    const anyRun = fc.record({
      workflowKey: fc.string({ maxLength: 5 }),
      workflowName: text,
      runId: fc.nat(1000),
      attempt: fc.integer({ min: 1, max: 5 }),
      images: fc.array(fc.record({ tag: text, platforms: fc.array(text, { maxLength: 40 }) }), { maxLength: 60 }),
      artifacts: fc.array(text, { maxLength: 60 }),
    });
    fc.assert(
      fc.property(
        fc.array(anyRun, { maxLength: 40 }),
        fc.array(fc.record({ key: text, message: text }), { maxLength: 40 }),
        (runs, problems) => {
          let state: CommentState = emptyState(HEAD);
          for (const r of runs) {
            state = applyRun(
              state,
              runReport({
                workflowKey: r.workflowKey,
                workflowName: r.workflowName,
                runId: r.runId,
                attempt: r.attempt,
                images: r.images.map((i, n) => ({ ...image(n, i.platforms), tag: i.tag })),
                artifacts: r.artifacts.map((name, id) => ({
                  id,
                  name,
                  sizeInBytes: 1,
                  digest: null,
                  expiresAt: null,
                  expired: false,
                  url: "https://github.com/o/r",
                  holdsImage: true,
                })),
              }),
              HEAD,
              problems,
            );
          }
          assertWellFormed(commentFor(state, PULL));
        },
      ),
      { numRuns: 40 },
    );
  });
});
