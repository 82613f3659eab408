import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { configJsonSchema } from "../../src/config/config-docs.js";
import { followExtends } from "../../src/config/load-config.js";

/**
 * The JSON Schema accepts what Dockhand accepts: for each value, the schema (as an editor checks it)
 * and the app's own reader (YAML, `_extends`, the zod schema) must give the same answer. The checks
 * JSON Schema cannot say are listed in docs/configuration.md and pinned at the end.
 */
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());

async function verdicts(value: Record<string, unknown>): Promise<{ schema: boolean; app: boolean }> {
  const loaded = await followExtends(
    { label: "case", fetched: { found: true, text: JSON.stringify(value) } },
    "octo-org",
    undefined,
  );
  return { schema: validate(value), app: loaded.ok };
}

async function assertAgree(value: Record<string, unknown>): Promise<void> {
  const { schema, app } = await verdicts(value);
  assert.equal(
    schema,
    app,
    `${JSON.stringify(value)}: the JSON Schema says ${schema ? "valid" : "invalid"}, Dockhand ${app ? "valid" : "invalid"}`,
  );
}

const TEMPLATES = [
  "pr-{number}",
  "{branch}-{sha7}",
  "ghcr.io/{owner}/{repo}",
  "x{",
  "{",
  "}",
  "{}",
  "{nope}",
  "{{number}",
  "{number}{",
  "a{b{number}",
  "{NUMBER}",
  "{ number}",
  "pr-{number}}",
  "",
];
const PR_TAGS = ["pr-{number}", "pr-{number}-*", "{number}", "pr-*", "pr-{Number}", "pr-{number", ""];
const CRONS = [
  "0 3 * * *",
  "*/15 * * * *",
  "0 0 1-5 * 1-5",
  "5,10-20/3 * * * *",
  " 0 3 * * * ",
  "0\t3 * * *",
  "007 3 * * *",
  "* * * * 7",
  "59 23 31 12 0",
  "60 * * * *",
  "* 24 * * *",
  "0 0 0 * *",
  "0 0 32 * *",
  "0 0 * 13 *",
  "0 0 * 0 *",
  "* * * * 8",
  "* * * *",
  "* * * * * *",
  "0 3 * * MON",
  "*/0 * * * *",
  "1-2-3 * * * *",
  "*-5 * * * *",
  "1, * * * *",
  ",1 * * * *",
  "",
  "0 3 * * */7",
];
const EXTENDS = [
  "repo",
  ".github",
  "octo-org/.github",
  "octo-org/.github:base.yml",
  "Octo-Org/Repo:cfg/dockhand.YAML",
  "-bad/repo",
  "a--b/repo",
  "owner/repo:path.txt",
  "owner/",
  "owner/repo/extra",
  "a".repeat(40) + "/repo",
  "repo:x.yml",
  5,
  null,
];

describe("the JSON Schema agrees with Dockhand", () => {
  it("on templates (unknown placeholders)", async () => {
    for (const template of TEMPLATES) {
      await assertAgree({ report: { expectedTags: [template] } });
      await assertAgree({ report: { images: [template] } });
    }
  });

  it("on pullRequestTags (each needs {number})", async () => {
    for (const tag of PR_TAGS) await assertAgree({ prune: { pullRequestTags: [tag] } });
  });

  it("on cron schedules", async () => {
    for (const schedule of CRONS) await assertAgree({ prune: { schedule } });
  });

  it("on _extends", async () => {
    for (const base of EXTENDS) await assertAgree({ _extends: base, retry: { mode: "dry-run" } });
  });

  it("on enumerations, ranges and unknown keys", async () => {
    for (const value of [
      { retry: { mode: "sometimes" } },
      { retry: { maxAttempts: 51 } },
      { retry: { maxAttempts: 2.5 } },
      { prune: { untaggedOlderThanDays: null } },
      { report: { unknown: 1 } },
      { retry: { rules: [{ id: "Bad_Id", verdict: "transient", pattern: "x" }] } },
    ]) {
      await assertAgree(value);
    }
  });

  it("on random templates and schedules", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[{}a-z0-9-]{0,12}$/), async (template) =>
        assertAgree({ report: { expectedTags: [template] } }),
      ),
      { numRuns: 300 },
    );
    const field = fc.stringMatching(/^[*0-9,/-]{1,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(field, { minLength: 4, maxLength: 6 }), async (fields) => {
        const schedule = fields.join(" ");
        // A range out of order is the one difference the reference documents (below).
        if (
          /(\d+)-(\d+)/.test(schedule) &&
          [...schedule.matchAll(/(\d+)-(\d+)/g)].some((m) => Number(m[1]) > Number(m[2]))
        )
          return;
        await assertAgree({ prune: { schedule } });
      }),
      { numRuns: 500 },
    );
  });

  it("except where docs/configuration.md says Dockhand alone checks", async () => {
    assert.deepEqual(await verdicts({ prune: { schedule: "30-10 * * * *" } }), { schema: true, app: false });
    assert.deepEqual(
      await verdicts({ retry: { rules: [{ id: "backref", verdict: "transient", pattern: "(a)\\1" }] } }),
      { schema: true, app: false },
    );
  });
});
