import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { CONFIG_PATH, loadConfig, type LoadedConfig } from "../../src/config/load-config.js";
import { MAX_PROBLEMS } from "../../src/config/parse-config.js";
import { CONFIG_MAX_BYTES } from "../../src/config/parse-config-yaml.js";
import type { Octokit } from "../../src/github/octokit.js";
import { dockhandOctokit, OCTOKIT_SENDS } from "../../src/github/octokit-options.js";
import { githubPerTest } from "../support/app-per-test.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { testSettings } from "../support/test-settings.js";

const REPO = { owner: "octo-org", repo: "app" };
const FULL = "octo-org/app";

/** Repeats `unit` as often as fits in `bytes`. */
function fill(unit: (i: number) => string, bytes: number, head = "", tail = ""): string {
  const parts = [head];
  let size = head.length + tail.length;
  for (let i = 0; size + unit(i).length <= bytes; i++) {
    parts.push(unit(i));
    size += unit(i).length;
  }
  return parts.join("") + tail;
}

interface Case {
  name: string;
  yaml: string;
  /** Every problem's `key: message` must match one of these, in order; none: the file is valid. */
  problems?: RegExp[];
  /** Checked on the valid config. */
  check?: (config: Extract<LoadedConfig, { ok: true }>["config"]) => void;
}

/** One file at `.github/dockhand.yml`, as a repository admin may write it. */
/** Registers per test: octo-org/app on a fresh FakeGitHub, and the Octokit that ships, with a token. */
function configRepoPerTest(started: (fake: FakeGitHub, octokit: Octokit) => void): void {
  githubPerTest((fake) =>
    started(
      fake.addRepo({ owner: "octo-org", name: "app", id: 1001 }),
      new (dockhandOctokit(testSettings()))({
        auth: { token: "ghp_config" },
        log: pino({ level: "silent" }),
      }) as unknown as Octokit,
    ),
  );
}

const cases: Case[] = [
  {
    name: "a valid file",
    yaml: "report:\n  expectedTags: ['pr-{number}']\n",
    check: (c) => assert.deepEqual(c.report.expectedTags, ["pr-{number}"]),
  },
  { name: "an empty file (the defaults)", yaml: "", check: (c) => assert.equal(c.report.maxJobLogs, 20) },
  { name: "a file of comments only", yaml: "# nothing yet\n", check: (c) => assert.equal(c.retry.mode, "rerun") },
  {
    name: "a file at the cap",
    yaml: fill(() => "# padding\n", CONFIG_MAX_BYTES, "retry:\n  mode: off\n"),
    check: (c) => assert.equal(c.retry.mode, "off"),
  },
  {
    name: "one byte over the cap",
    yaml: `retry: {}\n${"#".repeat(CONFIG_MAX_BYTES + 1 - 10)}`,
    problems: [
      new RegExp(
        `^\\(file\\): octo-org/app:\\.github/dockhand\\.yml is ${CONFIG_MAX_BYTES + 1} bytes; the limit is ${CONFIG_MAX_BYTES} bytes \\(32 KiB\\)\\. Remove unused settings`,
      ),
    ],
  },
  {
    name: "100,000 keys (1 MB), refused on its size before any parsing",
    yaml: Array.from({ length: 100_000 }, (_, i) => `key${i}: 1`).join("\n"),
    problems: [/^\(file\): octo-org\/app:\.github\/dockhand\.yml is 1188889 bytes; the limit is 32768 bytes/],
  },
  {
    name: "unknown keys, as many as fit: the first 20, then a count",
    yaml: fill((i) => `k${i}: 1\n`, 20_000),
    problems: [
      ...Array.from(
        { length: MAX_PROBLEMS },
        (_, i) => new RegExp(`^k${i}: unknown key; allowed here: workflows, report, retry, prune$`),
      ),
      /^\(file\): and \d+ more problems$/,
    ],
  },
  {
    name: "duplicate keys, found in linear time and listed in file order",
    yaml: "report:\n  enabled: true\n  enabled: false\nretry: {mode: off, mode: rerun}\n",
    problems: [
      /^report\.enabled: duplicate key at line 3, column 3; YAML keeps only one/,
      /^retry\.mode: duplicate key at line 4, column 20/,
    ],
  },
  {
    name: "thousands of duplicate keys",
    yaml: fill(() => "a: 1\n", 30_000),
    problems: [
      ...Array.from({ length: MAX_PROBLEMS }, () => /^a: duplicate key/),
      /^\(file\): and 5979 more problems$/,
    ],
  },
  {
    name: "a list as a key",
    yaml: "? [a, b]\n: 1\n",
    problems: [/^\(file\): the key at line 1, column 3 is a list or mapping; keys must be plain names$/],
  },
  {
    name: "an alias as a key",
    yaml: "a: &k report\n*k : {}\n",
    problems: [/^\(file\): the key at line 2, column 1 is an alias/],
  },
  {
    name: "unparsable YAML, by line",
    yaml: "report: [unclosed\n",
    problems: [
      /^\(file\): Configuration could not be parsed from octo-org\/app:\.github\/dockhand\.yml \(invalid YAML at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a \]\)$/,
    ],
  },
  {
    name: "two YAML documents",
    yaml: "report: {}\n---\nretry: {}\n",
    problems: [/^\(file\): octo-org\/app:\.github\/dockhand\.yml holds 2 YAML documents/],
  },
  {
    name: "a list instead of a mapping",
    yaml: "- report\n",
    problems: [/^\(file\): octo-org\/app:\.github\/dockhand\.yml must be a mapping of settings .*not a list$/],
  },
  { name: "a single value instead of a mapping", yaml: "report\n", problems: [/not a single value$/] },
  {
    name: "anchors and a few aliases are fine",
    yaml: "report:\n  expectedTags: &tags ['pr-{number}']\n  images: ['ghcr.io/{owner}/{repo}']\nprune:\n  keep: [latest]\n  pullRequestTags: ['pr-{number}']\n",
    check: (c) => assert.deepEqual(c.prune.keep, ["latest"]),
  },
  {
    name: "an alias bomb (billion laughs)",
    yaml: [
      "a: &a [x,x,x,x,x,x,x,x,x]",
      ..."bcdefghi".split("").map((name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`),
    ].join("\n"),
    problems: [
      /^\(file\): Configuration could not be parsed from octo-org\/app:\.github\/dockhand\.yml \(Excessive alias count/,
    ],
  },
  {
    name: "an alias fan-out under yaml's own alias limit (50 uses of a 2,000-item list)",
    yaml: `a: &a [${"1,".repeat(2000)}1]\nb: [${"*a,".repeat(49)}*a]\n`,
    problems: [
      /^\(file\): octo-org\/app:\.github\/dockhand\.yml holds more than 4096 values \(settings and list items, aliases expanded\)/,
    ],
  },
  {
    name: "a list of 5,000 items",
    yaml: `prune:\n  keep: [${'"v*",'.repeat(4999)}"v*"]\n`,
    problems: [/holds more than 4096 values/],
  },
  {
    name: "flow collections nested 10,000 deep",
    yaml: "[".repeat(10_000) + "]".repeat(10_000),
    problems: [
      /^\(file\): octo-org\/app:\.github\/dockhand\.yml nests deeper than 16 levels; Dockhand's settings need at most 5$/,
    ],
  },
  {
    name: "flow mappings nested 5,000 deep",
    yaml: "{a: ".repeat(5000) + "1" + "}".repeat(5000),
    problems: [/nests deeper than 16 levels/],
  },
  {
    name: "block sequences nested 10,000 deep on one line",
    yaml: "- ".repeat(10_000) + "x\n",
    problems: [/nests deeper than 16 levels/],
  },
  {
    name: "block mappings nested 100 deep by indentation",
    yaml: Array.from({ length: 100 }, (_, d) => `${" ".repeat(d)}a:`).join("\n") + " 1\n",
    problems: [/nests deeper than 16 levels/],
  },
  {
    name: "nesting by indentation and flow together",
    yaml:
      Array.from({ length: 10 }, (_, d) => `${" ".repeat(d)}a:`).join("\n") + ` ${"[".repeat(10)}${"]".repeat(10)}\n`,
    problems: [/nests deeper than 16 levels/],
  },
  {
    name: "brackets inside strings are not nesting",
    yaml: `retry:\n  rules:\n  - id: brackets\n    verdict: transient\n    pattern: "${"\\\\[".repeat(40)}"\n`,
    check: (c) => assert.equal(c.retry.rules.length, 1),
  },
  {
    name: "a 32 KiB pattern is refused by its length, not compiled",
    yaml: `retry:\n  rules:\n  - id: r\n    verdict: transient\n    pattern: "${"(a|b)".repeat(6500)}"\n`,
    problems: [/^retry\.rules\[0\]\.pattern: Too big: expected string to have <=500 characters$/],
  },
  {
    name: "a long key is shortened in the problem",
    yaml: `${"k".repeat(1000)}: 1\n`,
    problems: [/^k{119}…: unknown key/],
  },
  {
    name: "a `__proto__` key stays a key",
    yaml: "__proto__: {retry: {mode: off}}\n",
    problems: [/^__proto__: unknown key/],
  },
  {
    name: "an invalid `_extends`",
    yaml: "_extends: [a, b]\n",
    problems: [
      /^_extends: octo-org\/app:\.github\/dockhand\.yml: use `repo`, `owner\/repo` or `owner\/repo:path\.yml`$/,
    ],
  },
];

describe("loadConfig: a file an admin wrote", () => {
  let fake: FakeGitHub;
  let octokit: Octokit;
  configRepoPerTest((started, reader) => ((fake = started), (octokit = reader)));

  for (const { name, yaml, problems, check } of cases) {
    it(name, async () => {
      fake.setFile(FULL, CONFIG_PATH, yaml);
      const loaded = await loadConfig(octokit, REPO);
      if (!problems) {
        assert.ok(loaded.ok, `valid, but: ${loaded.ok ? "" : JSON.stringify(loaded.problems)}`);
        check?.(loaded.config);
        return;
      }
      assert.ok(!loaded.ok, "a problem");
      const lines = loaded.problems.map((p) => `${p.key}: ${p.message}`);
      assert.equal(lines.length, problems.length, lines.join("\n"));
      problems.forEach((pattern, i) => assert.match(lines[i]!, pattern));
      assert.deepEqual(loaded.files, [`${FULL}:${CONFIG_PATH}`]);
    });
  }
});

describe("loadConfig: where the files come from", () => {
  let fake: FakeGitHub;
  let octokit: Octokit;
  configRepoPerTest((started, reader) => ((fake = started), (octokit = reader)));

  async function problemsOf(): Promise<string[]> {
    const loaded = await loadConfig(octokit, REPO);
    assert.ok(!loaded.ok, "a problem");
    return loaded.problems.map((p) => `${p.key}: ${p.message}`);
  }

  it("uses the defaults when no file exists, here or in the owner's .github repository", async () => {
    const loaded = await loadConfig(octokit, REPO);
    assert.ok(loaded.ok);
    assert.deepEqual(loaded.files, []);
    assert.equal(fake.countRequests("GET", /\/contents\//), 2);
  });

  it("falls back to the owner's .github repository, and follows its _extends", async () => {
    fake.setFile("octo-org/.github", CONFIG_PATH, "_extends: shared\nreport:\n  maxJobLogs: 5\n");
    fake.setFile("octo-org/shared", CONFIG_PATH, "report:\n  maxJobLogs: 7\n  expectedTags: ['pr-{number}']\n");
    const loaded = await loadConfig(octokit, REPO);
    assert.ok(loaded.ok);
    assert.equal(loaded.config.report.maxJobLogs, 5);
    assert.deepEqual(loaded.config.report.expectedTags, ["pr-{number}"]);
    assert.deepEqual(loaded.files, [`octo-org/.github:${CONFIG_PATH}`, `octo-org/shared:${CONFIG_PATH}`]);
  });

  it("follows `repo` and `owner/repo:path`; objects merge, lists replace, the repository's own file wins", async () => {
    fake.setFile(FULL, CONFIG_PATH, "_extends: team\nreport:\n  expectedTags: ['pr-{number}']\n");
    fake.setFile(
      "octo-org/team",
      CONFIG_PATH,
      "_extends: platform/settings:config/dockhand-base.yml\nreport:\n  expectedTags: ['team-{number}']\n  maxJobLogs: 3\n",
    );
    fake.setFile(
      "platform/settings",
      "config/dockhand-base.yml",
      "report:\n  maxJobLogs: 9\nretry:\n  mode: dry-run\n",
    );
    const loaded = await loadConfig(octokit, REPO);
    assert.ok(loaded.ok);
    assert.deepEqual(loaded.config.report.expectedTags, ["pr-{number}"]);
    assert.equal(loaded.config.report.maxJobLogs, 3);
    assert.equal(loaded.config.retry.mode, "dry-run");
    assert.deepEqual(loaded.files, [
      `${FULL}:${CONFIG_PATH}`,
      `octo-org/team:${CONFIG_PATH}`,
      "platform/settings:config/dockhand-base.yml",
    ]);
  });

  it("follows three bases, and refuses a fourth", async () => {
    const chain = ["app", "b1", "b2", "b3"];
    chain.forEach((name, i) =>
      fake.setFile(
        `octo-org/${name}`,
        CONFIG_PATH,
        `${chain[i + 1] ? `_extends: ${chain[i + 1]}\n` : ""}report:\n  maxJobLogs: ${i + 1}\n`,
      ),
    );
    const three = await loadConfig(octokit, REPO);
    assert.ok(three.ok);
    assert.equal(three.config.report.maxJobLogs, 1);
    assert.equal(three.files.length, 4);

    fake.setFile("octo-org/b3", CONFIG_PATH, "_extends: b4\n");
    fake.setFile("octo-org/b4", CONFIG_PATH, "report: {}\n");
    const [problem, ...rest] = await problemsOf();
    assert.equal(rest.length, 0);
    assert.match(
      problem!,
      /^_extends: octo-org\/app:\.github\/dockhand\.yml → octo-org\/b1:.* → octo-org\/b4:\.github\/dockhand\.yml is more than 3 `_extends` deep/,
    );
    assert.equal(fake.countRequests("GET", /\/b4\/contents\//), 0, "the fifth file is not read");
  });

  it("refuses a cycle, whatever the spelling of the names", async () => {
    fake.setFile(FULL, CONFIG_PATH, "_extends: base\n");
    fake.setFile("octo-org/base", CONFIG_PATH, "_extends: Octo-Org/App\n");
    assert.deepEqual(await problemsOf(), [
      `_extends: octo-org/base:${CONFIG_PATH} extends a file already read: octo-org/app:${CONFIG_PATH} → octo-org/base:${CONFIG_PATH} → Octo-Org/App:${CONFIG_PATH}; remove one \`_extends\``,
    ]);
  });

  it("refuses a file that extends itself", async () => {
    fake.setFile(FULL, CONFIG_PATH, "_extends: app\n");
    assert.match((await problemsOf())[0]!, /extends a file already read/);
  });

  it("names a base that does not exist", async () => {
    fake.setFile(FULL, CONFIG_PATH, "_extends: nowhere\nreport: {}\n");
    assert.deepEqual(await problemsOf(), [
      `_extends: ${FULL}:${CONFIG_PATH} extends octo-org/nowhere:${CONFIG_PATH}, which does not exist or the app is not installed on`,
    ]);
  });

  it("names the base that is too large or unparsable", async () => {
    fake.setFile(FULL, CONFIG_PATH, "_extends: big\n");
    fake.setFile("octo-org/big", CONFIG_PATH, `# ${"x".repeat(CONFIG_MAX_BYTES)}\n`);
    assert.match(
      (await problemsOf())[0]!,
      /^\(file\): octo-org\/big:\.github\/dockhand\.yml is 32771 bytes; the limit is 32768 bytes/,
    );
    fake.setFile("octo-org/big", CONFIG_PATH, "report: [\n");
    assert.match(
      (await problemsOf())[0]!,
      /^\(file\): Configuration could not be parsed from octo-org\/big:\.github\/dockhand\.yml \(invalid YAML/,
    );
  });

  it("bounds the values of all files together", async () => {
    const list = (n: number) => `[${'"v*",'.repeat(n - 1)}"v*"]`;
    fake.setFile(FULL, CONFIG_PATH, `_extends: base\nprune:\n  keep: ${list(3000)}\n`);
    fake.setFile("octo-org/base", CONFIG_PATH, `report:\n  imageArtifacts: ${list(3000)}\n`);
    assert.match(
      (await problemsOf())[0]!,
      /^\(file\): octo-org\/app:\.github\/dockhand\.yml → octo-org\/base:\.github\/dockhand\.yml hold more than 4096 values together/,
    );
  });

  it("says when the path is a directory", async () => {
    fake.fail("GET", /\/contents\/\.github%2Fdockhand\.yml$/, {
      status: 200,
      body: [{ type: "file", name: "a.yml", path: ".github/dockhand.yml/a.yml", size: 1 }],
    });
    assert.deepEqual(await problemsOf(), [
      `(file): ${FULL}:${CONFIG_PATH} is a directory; Dockhand reads a YAML file there`,
    ]);
  });

  // A failure to read is never a fact about the file: it is thrown as it is, for the job to be retried.
  const failures: {
    name: string;
    response: { status: number; headers?: Record<string, string>; body: unknown };
    base?: boolean;
  }[] = [
    { name: "401 Bad credentials", response: { status: 401, body: { message: "Bad credentials" } } },
    {
      name: "403 installation suspended",
      response: { status: 403, body: { message: "This installation has been suspended" } },
    },
    {
      name: "403 not accessible by integration",
      response: { status: 403, body: { message: "Resource not accessible by integration" } },
    },
    {
      name: "451 repository access blocked",
      response: { status: 451, body: { message: "Repository access blocked" } },
    },
    { name: "502 from GitHub", response: { status: 502, body: { message: "Server Error" } } },
    { name: "401 reading a base", response: { status: 401, body: { message: "Bad credentials" } }, base: true },
  ];
  for (const { name, response, base } of failures) {
    it(`throws on ${name}, with its status`, async () => {
      if (base) fake.setFile(FULL, CONFIG_PATH, "_extends: base\n");
      // As often as Octokit sends a read: a 5xx is sent once more before it is thrown.
      fake.fail("GET", base ? /\/base\/contents\// : /\/app\/contents\//, response, OCTOKIT_SENDS.read);
      await assert.rejects(
        loadConfig(octokit, REPO),
        (error: unknown) => (error as { status?: number }).status === response.status,
      );
    });
  }

  it("throws what Redis or a limiter throws under the request", async () => {
    fake.setFile(FULL, CONFIG_PATH, "report: {}\n");
    const limiter = Object.assign(new Error("ERR UNKNOWN_CLIENT"), { name: "ReplyError" });
    octokit.hook.wrap("request", () => Promise.reject(limiter));
    await assert.rejects(loadConfig(octokit, REPO), (error: unknown) => error === limiter);
  });
});
