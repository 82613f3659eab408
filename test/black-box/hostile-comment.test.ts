import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpApp, type HttpApp } from "../support/http-app.js";
import { startHttpGitHub } from "../support/http-github.js";
import { FORK, REPO, SHA1 } from "../support/scenario.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const FULL = "octo-org/app";
const PULL = 8;

/** What a fork would like Dockhand to adopt as its memory: its own image, links, pings and a wiped history. */
const forgedState = {
  v: 1,
  headSha: SHA1,
  runs: [
    {
      workflowKey: "77",
      workflowName: "CI ✅ verified by octo-org",
      runId: 999,
      runNumber: 1,
      attempt: 1,
      runUrl: "https://evil.example/phish",
      event: "pull_request",
      conclusion: "success",
      headSha: SHA1,
      completedAt: "2026-11-20T11:30:00Z",
      origin: "same-repo",
      images: [
        {
          repository: "ghcr.io/evil/backdoor",
          tag: "latest",
          digest: `sha256:${"e".repeat(64)}`,
          via: "buildx",
          job: "b",
          check: { status: "verified", platforms: ["linux/amd64"], attestations: 1 },
        },
      ],
      expectedTags: [],
      artifacts: [],
      notes: [{ code: "logs-limited", detail: "@octo-org/admins ![x](https://evil.example/p.png)" }],
    },
  ],
  configProblems: [],
};
const encoded = Buffer.from(JSON.stringify(forgedState)).toString("base64");
const encodedV2 = Buffer.from(JSON.stringify({ ...forgedState, v: 2 })).toString("base64url");

/** The body with every code span and fence removed: what GitHub would interpret. */
function outsideCode(body: string): string {
  return body.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1/gm, "").replace(/(`+)[\s\S]*?\1/g, "");
}

/**
 * A fork PR names its workflow after Dockhand's state marker (and a sealed-looking one) so that the
 * next delivery would read the fork's state instead of Dockhand's. Signed deliveries over HTTP.
 */
describe("black box: a fork cannot take over Dockhand's comment", () => {
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let fake: FakeGitHub;
  let app: HttpApp;

  before(async () => {
    github = await startHttpGitHub();
    fake = github.fake;
    fake.addRepo(REPO);
    fake.addPull(FULL, { number: PULL, headRef: "feature", headSha: SHA1, headRepo: FORK });
    fake.setArtifacts(601, [{ id: 93, name: "image.tar", size_in_bytes: 2048 }]);
    fake.setArtifacts(602, [{ id: 94, name: "image\u202erat.exe", size_in_bytes: 2048 }]);
    app = await startHttpApp(fake);
  });
  after(async () => {
    await app.stop();
    await github.close();
  });

  const comment = () => fake.commentsOn(FULL, PULL).filter((c) => c.body.startsWith(REPORT_MARKER));
  /** A fork's run `id` of the workflow `workflowId`, named `name`, on the PR's head. */
  const forkRun = (id: number, name: string, workflowId: number) =>
    workflowRunCompleted({ repo: REPO, headRepo: FORK, id, headSha: SHA1, headBranch: "feature", name, workflowId });

  it("keeps its own state and renders nothing of the forged one", async () => {
    const name = `CI <!-- dockhand:state ${encoded} --> <!-- dockhand:state v2 ${encodedV2} AAAA -->`;
    const first = forkRun(601, name, 71);
    const second = forkRun(602, "Lint", 72);
    assert.equal(await app.send("workflow_run", first), 200);
    await app.queue.idle();
    assert.equal(await app.send("workflow_run", second), 200);
    await app.queue.idle();

    const [only, ...others] = comment();
    assert.ok(only, "the comment exists");
    assert.equal(others.length, 0, "one comment");
    const state = stateOf(only.body, pullKey(FULL, PULL));
    assert.deepEqual(
      state?.runs.map((r) => r.runId).sort(),
      [601, 602],
      "both real runs are remembered, the forged one is not",
    );
    assert.doesNotMatch(only.body, /evil|backdoor|run #1\b/);
    assert.doesNotMatch(
      outsideCode(only.body),
      /@octo-org|!\[|<img|dockhand:state(?! v2 [A-Za-z0-9_-]+ [A-Za-z0-9_-]+ -->$)/m,
    );
    assert.match(only.body, /docker load -i image\.tar/, "the real artifact's command is there");
  });

  it("shows a bidi override as visible text and offers no command for it", () => {
    const body = comment()[0]?.body ?? "";
    assert.match(body, /`image\[U\+202E\]rat\.exe`/);
    assert.doesNotMatch(body, /\u202e/);
    assert.doesNotMatch(body, /-n 'image/, "no shell command for a name a reader cannot see whole");
  });

  it("rebuilds the comment from what it knows when the state does not verify", async () => {
    const [ours] = comment();
    assert.ok(ours);
    // As if someone with the wrong key (another deployment, a forger) had written it.
    ours.body = `${ours.body.slice(0, ours.body.lastIndexOf("\n"))}\n<!-- dockhand:state v2 ${encodedV2} AAAA -->`;
    const third = forkRun(603, "Docs", 73);
    assert.equal(await app.send("workflow_run", third), 200);
    await app.queue.idle();
    const state = stateOf(comment()[0]?.body ?? "", pullKey(FULL, PULL));
    assert.deepEqual(
      state?.runs.map((r) => r.runId),
      [603],
    );
    assert.doesNotMatch(comment()[0]?.body ?? "", /evil/);
  });
});
