import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/parse-config.js";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { pullStatesFor, type UnreadPull } from "../../src/prune/pull-states.js";
import { retryAfterOf } from "../../src/queue/job-queue.js";
import { githubPerTest } from "../support/app-per-test.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpGitHub } from "../support/http-github.js";
import { REPO, SHA1 } from "../support/scenario.js";
import { testOctokit } from "../support/test-octokit.js";

const parsed = parseConfig({});
if (!parsed.ok) throw new Error("default config");
const CONFIG = parsed.config.prune;
const OWNER_REPO = { owner: "octo-org", repo: "app" };
const CLOSED_AT = "2026-11-18T12:00:00Z";

/** One version per tag, `pr-N` for each number. */
function tagged(numbers: (number | string)[]): PackageVersion[] {
  return numbers.map((n, i) => ({
    id: i + 1,
    digest: `sha256:${String(i).padStart(64, "0")}`,
    createdAt: 0,
    updatedAt: 0,
    tags: [`pr-${n}`],
  }));
}

/** PRs 1..count exist; odd ones closed. */
function seedPulls(fake: FakeGitHub, count: number): void {
  fake.addRepo(REPO);
  for (let number = 1; number <= count; number += 1)
    fake.addPull("octo-org/app", {
      number,
      headRef: `b${number}`,
      headSha: SHA1,
      headRepo: REPO,
      ...(number % 2 === 1 ? { state: "closed" as const, closedAt: CLOSED_AT } : {}),
    });
}

const graphqlRequests = (fake: FakeGitHub) => fake.countRequests("POST", /graphql$/);
const restReads = (fake: FakeGitHub) => fake.countRequests("GET", /\/pulls\/\d+$/);

describe("PR states in batches", () => {
  let fake: FakeGitHub;
  githubPerTest((f) => {
    fake = f;
  });

  it("reads 250 PR numbers in 3 GraphQL queries, a missing PR unknown as a REST 404 is", async () => {
    seedPulls(fake, 240);
    const numbers = Array.from({ length: 250 }, (_, i) => i + 1);
    const unread: UnreadPull[] = [];
    const states = await pullStatesFor(testOctokit(), OWNER_REPO, tagged(numbers), CONFIG, {
      onUnread: (pull) => unread.push(pull),
    });
    assert.equal(graphqlRequests(fake), 3, "⌈250/100⌉ queries");
    assert.equal(fake.requests.length, 3, "nothing else");
    assert.equal(states.length, 240);
    assert.deepEqual(
      states.find((s) => s.number === 7),
      { number: 7, state: "closed", closedAt: Date.parse(CLOSED_AT) },
    );
    assert.deepEqual(
      states.find((s) => s.number === 8),
      { number: 8, state: "open", closedAt: null },
    );
    assert.deepEqual(
      unread.map((u) => u.number),
      Array.from({ length: 10 }, (_, i) => 241 + i),
    );
    assert.ok(unread.every((u) => u.status === 404));
  });

  it("stays within ⌈N/100⌉ + 1 requests for any N, one tag or many per PR", async () => {
    seedPulls(fake, 101);
    for (const n of [1, 99, 100, 101]) {
      const before = fake.requests.length;
      const numbers = Array.from({ length: n }, (_, i) => i + 1);
      const versions = tagged([...numbers, ...numbers.map((x) => `${x}-abc`)]);
      const states = await pullStatesFor(testOctokit(), OWNER_REPO, versions, {
        ...CONFIG,
        pullRequestTags: ["pr-{number}", "pr-{number}-*"],
      });
      assert.equal(states.length, n);
      assert.ok(fake.requests.length - before <= Math.ceil(n / 100) + 1, `${n} numbers`);
    }
  });

  it("asks nothing for a number no PR can have, and it does not spoil its batch", async () => {
    seedPulls(fake, 3);
    const unread: UnreadPull[] = [];
    // GraphQL's Int is 32 bits: GitHub refuses the whole query that writes 99999999999.
    const states = await pullStatesFor(
      testOctokit(),
      OWNER_REPO,
      tagged([1, 99999999999, 2, "0", "1".repeat(400)]),
      CONFIG,
      {
        onUnread: (pull) => unread.push(pull),
      },
    );
    assert.deepEqual(
      states.map((s) => s.number),
      [1, 2],
    );
    assert.equal(graphqlRequests(fake), 1);
    assert.equal(restReads(fake), 0);
    assert.deepEqual(
      unread.map((u) => u.number).sort((a, b) => a - b),
      [0, 99999999999, Number("1".repeat(400))],
    );
  });

  it("says every PR is unknown when the repository cannot be resolved, in one request", async () => {
    fake.addRepo({ owner: "octo-org", name: "other", id: 5 });
    const unread: UnreadPull[] = [];
    const states = await pullStatesFor(testOctokit(), { owner: "octo-org", repo: "gone" }, tagged([1, 2, 3]), CONFIG, {
      onUnread: (pull) => unread.push(pull),
    });
    assert.deepEqual(states, []);
    assert.deepEqual(
      unread.map((u) => [u.number, u.status]),
      [
        [1, 404],
        [2, 404],
        [3, 404],
      ],
    );
    assert.equal(fake.requests.length, 1);
  });

  it("reads over REST only the PRs GraphQL could not answer", async () => {
    seedPulls(fake, 3);
    // GitHub answered PR 2's field with another error than NOT_FOUND.
    fake.fail("POST", /graphql$/, {
      status: 200,
      body: {
        data: {
          repository: {
            p1: { number: 1, state: "CLOSED", closedAt: CLOSED_AT },
            p2: null,
            p3: { number: 3, state: "MERGED", closedAt: CLOSED_AT },
          },
        },
        errors: [{ type: "FORBIDDEN", path: ["repository", "p2"], message: "Resource not accessible by integration" }],
      },
    });
    const states = await pullStatesFor(testOctokit(), OWNER_REPO, tagged([1, 2, 3]), CONFIG);
    assert.deepEqual(states.map((s) => [s.number, s.state]).sort(), [
      [1, "closed"],
      [2, "open"],
      [3, "closed"],
    ]);
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      ["POST /graphql", "GET /repos/octo-org/app/pulls/2"],
    );
  });

  it("falls back to REST when GraphQL is refused, asking GraphQL no more", async () => {
    seedPulls(fake, 150);
    fake.fail("POST", /graphql$/, { status: 403, body: { message: "Resource not accessible by integration" } });
    const states = await pullStatesFor(
      testOctokit(),
      OWNER_REPO,
      tagged(Array.from({ length: 150 }, (_, i) => i + 1)),
      CONFIG,
    );
    assert.equal(states.length, 150);
    assert.equal(graphqlRequests(fake), 1);
    assert.equal(restReads(fake), 150);
  });

  it("throws a moment's failure and a rate limit to the job, the limit with its wait", async () => {
    seedPulls(fake, 3);
    fake.fail("POST", /graphql$/, { status: 502, body: { message: "Server Error" } });
    await assert.rejects(pullStatesFor(testOctokit(), OWNER_REPO, tagged([1, 2]), CONFIG), { status: 502 });
    const reset = Math.floor(Date.now() / 1000) + 120;
    fake.fail("POST", /graphql$/, {
      status: 200,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: { errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded for installation ID 1." }] },
    });
    const error = await pullStatesFor(testOctokit(), OWNER_REPO, tagged([1, 2]), CONFIG).catch((e: unknown) => e);
    const wait = retryAfterOf(error);
    assert.ok(wait !== undefined && wait > 100_000 && wait <= 125_000, `waits for the reset: ${wait}`);
    assert.equal(restReads(fake), 0, "no fallback to REST for a moment's failure or a rate limit");
  });
});

describe("PR states on GitHub Enterprise Server", () => {
  it("queries /api/graphql beside /api/v3", async () => {
    const github = await startHttpGitHub();
    try {
      seedPulls(github.fake, 2);
      const states = await pullStatesFor(
        testOctokit(`http://${github.host}/api/v3`),
        OWNER_REPO,
        tagged([1, 2]),
        CONFIG,
      );
      assert.equal(states.length, 2);
      assert.deepEqual(
        github.fake.requests.map((r) => `${r.method} ${r.path}`),
        ["POST /api/graphql"],
      );
      assert.deepEqual(github.fake.violations, []);
    } finally {
      await github.close();
    }
  });
});
