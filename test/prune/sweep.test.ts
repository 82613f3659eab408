import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Octokit } from "../../src/github/octokit.js";
import { cronFiresBetween, cronMatches, parseCron } from "../../src/util/cron.js";
import { sweepTick } from "../../src/prune/sweep.js";
import { Jobs } from "../../src/queue/job-kind.js";
import type { PackageVersion } from "../../src/prune/package-version.js";
import { FakeGitHub } from "../support/fake-github.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { bareImage } from "../support/bare-manifests.js";

const DAY = 24 * 3600 * 1000;

describe("cron", () => {
  it("parses fields, lists, ranges and steps, and explains bad ones", () => {
    const cron = parseCron("0 3 * * *");
    assert.ok(typeof cron !== "string");
    assert.ok(cronMatches(cron, new Date("2026-11-21T03:00:00Z")));
    assert.ok(!cronMatches(cron, new Date("2026-11-21T03:01:00Z")));
    const weekdays = parseCron("*/15 8-18 * * 1-5");
    assert.ok(typeof weekdays !== "string");
    assert.ok(cronMatches(weekdays, new Date("2026-11-20T08:45:00Z")), "a Friday");
    assert.ok(!cronMatches(weekdays, new Date("2026-11-21T08:45:00Z")), "a Saturday");
    assert.ok(cronFiresBetween(cron, Date.parse("2026-11-21T02:30:00Z"), Date.parse("2026-11-21T03:30:00Z")));
    assert.ok(!cronFiresBetween(cron, Date.parse("2026-11-21T03:00:01Z"), Date.parse("2026-11-21T04:00:00Z")));
    assert.equal(parseCron("0 3 * *"), "expected 5 fields (minute hour day month weekday), got 4");
    assert.match(String(parseCron("0 25 * * *")), /the hour field "25" is outside 0–23/);
  });
});

describe("the scheduled sweep", () => {
  let fake: FakeGitHub;
  let registry: FakeRegistry;
  let stops: (() => void)[];
  let app: TestApp;

  beforeEach(() => {
    fake = new FakeGitHub();
    registry = new FakeRegistry();
    stops = [interceptGitHub(fake), registry.intercept()];
  });
  afterEach(async () => {
    await app.close();
    for (const stop of stops.reverse()) stop();
    assert.deepEqual(fake.violations, []);
  });

  it("runs at the configured time: closed PRs' leftovers, retention windows, old untagged versions", async () => {
    app = await createTestApp(fake, {
      DOCKHAND_SWEEP: "on",
      DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token",
      DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0",
    });
    seedRepo(
      fake,
      "prune:\n  retention:\n    - tags: ['feature-*']\n      olderThanDays: 7\n  untaggedOlderThanDays: 14\n  schedule: '0 3 * * *'\n",
    );
    fake.addPull("octo-org/app", {
      number: 3,
      headRef: "a",
      headSha: SHA1,
      headRepo: REPO,
      state: "closed",
      closedAt: "2026-11-01T00:00:00Z",
    });
    fake.addPull("octo-org/app", { number: 4, headRef: "b", headSha: SHA1, headRepo: REPO });
    const image = (name: string) => registry.put(bareImage(name.padEnd(64, "0")));
    const now = Date.parse("2026-11-20T11:30:00Z");
    const version = (id: number, tags: string[], ageDays: number): PackageVersion => ({
      id,
      digest: image(`v${id}`),
      createdAt: now - ageDays * DAY,
      updatedAt: now - ageDays * DAY,
      tags,
    });
    fake.addPackage({
      owner: "octo-org",
      name: "app",
      versions: [
        version(1, ["pr-3"], 20),
        version(2, ["pr-4"], 20),
        version(3, ["feature-old"], 10),
        version(4, ["feature-new"], 2),
        version(5, [], 30),
        version(6, [], 3),
        version(7, ["latest"], 60),
      ],
    });

    await app.advance(15 * 3600 * 1000);
    assert.equal(fake.packageDeletes.length, 0, "nothing before 03:00");
    await app.advance(2 * 3600 * 1000);
    assert.deepEqual(
      fake
        .packageVersions("octo-org", "app")
        .map((v) => v.id)
        .sort(),
      [2, 4, 6, 7],
    );
    const done = app.logs.find((l) => l.msg === "sweep done") as { deleted: number[] } | undefined;
    assert.deepEqual(done?.deleted.sort(), [1, 3, 5]);
  });

  it("sweeps an installation's repositories one after another, each queued behind the work already due", async () => {
    app = await createTestApp(fake, {
      DOCKHAND_SWEEP: "on",
      DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token",
      DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0",
    });
    const config = "prune:\n  retention:\n    - tags: ['feature-*']\n      olderThanDays: 7\n  schedule: '0 3 * * *'\n";
    const names = ["app", "api", "web"];
    const now = Date.parse("2026-11-20T11:30:00Z");
    seedRepo(fake, config);
    names.forEach((name, i) => {
      if (name !== "app")
        fake
          .addRepo({ owner: "octo-org", name, id: 1100 + i })
          .setFile(`octo-org/${name}`, ".github/dockhand.yml", config);
      const digest = registry.put(bareImage(name.padEnd(64, "0")));
      fake.addPackage({
        owner: "octo-org",
        name,
        versions: [
          { id: 10 + i, digest, createdAt: now - 10 * DAY, updatedAt: now - 10 * DAY, tags: ["feature-old"] },
          {
            id: 20 + i,
            digest: registry.put(bareImage(`${name}k`.padEnd(64, "0"))),
            createdAt: now,
            updatedAt: now,
            tags: ["latest"],
          },
        ],
      });
    });

    const sweeps = () => app.queue.scheduled().filter((j) => j.kind === "sweep-repo");
    // The tick at 04:00 UTC (the end of the hour the schedule fired in) queues the installation's sweep.
    await app.advance(Date.parse("2026-11-21T04:00:00Z") - app.clock.now());
    assert.deepEqual(
      sweeps().map((j) => j.id),
      [`sweep:octo-org/app@${Date.parse("2026-11-21T03:00:00Z")}`],
      "one job for the installation, not one per repository",
    );
    const first = sweeps()[0]!;
    // Work already due when the chain's next link is queued runs before it.
    app.clock.advance(first.runAt - app.clock.now());
    await app.queue.add(
      "sweep-repo",
      { installationId: 1, owner: "octo-org", repo: "web", windowStart: 0, next: [] },
      { id: "other-work", runAt: app.clock.now() },
    );
    await app.queue.idle();
    const swept = app.logs.filter((log) => log.msg === "sweep done").map((log) => log.repository);
    assert.deepEqual(swept, ["octo-org/app", "octo-org/web", "octo-org/api", "octo-org/web"]);
    assert.deepEqual(
      fake.packageDeletes.map((d) => d.id),
      [10, 12, 11],
    );
  });

  it("goes on to the next hour's tick in one process when a tick failed every try", async () => {
    app = await createTestApp(fake, { DOCKHAND_SWEEP: "on" });
    const HOUR = 3600 * 1000;
    const ticks = () =>
      app.queue
        .scheduled()
        .filter((j) => j.kind === "sweep-tick")
        .map((j) => j.id);
    const first = Math.ceil(app.clock.now() / HOUR) * HOUR;
    assert.deepEqual(ticks(), [`sweep-tick@${first - HOUR}`]);
    // GitHub answers nothing but 502 to the installations list, for longer than the tick's tries.
    fake.fail("GET", /\/app\/installations$/, { status: 502, body: { message: "Server Error" } }, 1000);
    await app.advance(first - app.clock.now());
    // Each try's failure arms the next after it ends: step the clock past every retry's delay.
    for (let step = 0; step < 6; step += 1) await app.advance(5 * 60 * 1000);
    assert.ok(
      app.logs.some((l) => /job failed/.test(String(l.msg)) && l.kind === "sweep-tick"),
      "the tick failed and was tried again",
    );
    assert.deepEqual(ticks(), [`sweep-tick@${first}`], "the next hour's tick is queued all the same");
  });

  it("sweeps the other installations when one cannot be served, and tries a moment's failure again", async () => {
    app = await createTestApp(fake, { DOCKHAND_SWEEP: "off" });
    seedRepo(fake, "prune:\n  schedule: '0 3 * * *'\n");
    const real = (await app.probot.auth(1)) as Octokit;
    // Installation 666 is suspended; 777 fails for a moment; 1 is served.
    const appOctokit = {
      paginate: async () => [{ id: 666 }, { id: 777 }, { id: 1 }],
      rest: { apps: { listInstallations: () => undefined } },
    } as unknown as Octokit;
    const failures: Record<number, Error & { status: number }> = {
      666: Object.assign(new Error("This installation has been suspended"), { status: 403 }),
      777: Object.assign(new Error("Bad gateway"), { status: 502 }),
    };
    const deps = {
      appOctokit: async () => appOctokit,
      octokitFor: async (id: number) => {
        const failure = failures[id];
        if (failure) throw failure;
        return real;
      },
      queue: new Jobs(app.queue),
      log: app.probot.log,
    };
    const window = {
      windowStart: Date.parse("2026-11-21T02:00:00Z"),
      windowEnd: Date.parse("2026-11-21T03:00:00Z") + 1,
    };
    await assert.rejects(sweepTick(window, deps), /Bad gateway/, "the transient failure makes the tick try again");
    assert.deepEqual(
      app.queue
        .scheduled()
        .filter((j) => j.kind === "sweep-repo")
        .map((j) => j.id),
      [`sweep:octo-org/app@${window.windowStart}`],
      "installation 1 is swept all the same",
    );
    delete failures[777];
    await sweepTick(window, deps);
    const skipped = app.logs
      .filter((l) => l.msg === "cannot list the installation's repositories; not sweeping it this hour")
      .map((l) => l.installation);
    assert.deepEqual(skipped, [666, 777, 666]);
  });
});
