import { z } from "zod";
import { CRON_PATTERN, parseCron } from "../util/cron.js";
import { OPERATIONS } from "./registry-operations.js";
import { checkRepositoryPattern, MAX_RULES_PATTERN_CHARS, MAX_RULES_PROGRAM } from "./repository-pattern.js";

/** Placeholders a tag or image template may use; see `render-template.ts`. */
export const TEMPLATE_PLACEHOLDERS = ["number", "sha", "sha7", "branch", "owner", "repo"] as const;

const templateString = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    for (const match of value.matchAll(/\{([^}]*)\}/g)) {
      const name = match[1] ?? "";
      if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder {${name}}; use one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
        });
      }
    }
  })
  // The same rule for the JSON Schema: every `{…}` that closes is a known placeholder.
  .meta({ pattern: `^(?:[^{]|\\{(?:${TEMPLATE_PLACEHOLDERS.join("|")})\\}|\\{[^}]*$)*$` });

const globList = (description: string) => z.array(z.string().min(1)).default([]).describe(description);

const workflowSelector = z
  .strictObject({
    events: z
      .array(z.string().min(1))
      .min(1)
      .default(["pull_request"])
      .describe("Workflow run events to act on (the run's `event` field)."),
    names: globList("Workflow names to act on (globs). Empty: every workflow name."),
    paths: globList("Workflow file paths to act on, e.g. `.github/workflows/ci.yml` (globs). Empty: every path."),
  })
  .describe("Which workflow runs Dockhand looks at. A run must match `events` and, when given, `names` or `paths`.");

const report = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Keep the PR image report comment up to date."),
    expectedTags: z
      .array(templateString)
      .default([])
      .describe(
        "Tags CI is expected to push for a PR, as templates, e.g. `pr-{number}`, `pr-{number}-{sha7}`, `{branch}-{sha7}`. Missing ones are flagged. `{branch}` is the head branch sanitized to Docker's tag grammar.",
      ),
    images: z
      .array(templateString)
      .default([])
      .describe(
        "Image repositories the expected tags belong to, e.g. `ghcr.io/{owner}/{repo}`. Empty: the repositories the run pushed to.",
      ),
    imageArtifacts: z
      .array(z.string().min(1))
      .default(["*image*", "*docker*", "*.tar", "*.tar.gz"])
      .describe("Artifact names (globs) that hold `docker save` tarballs; they get a `docker load` command."),
    maxJobLogs: z
      .int()
      .min(0)
      .max(100)
      .default(20)
      .describe("At most this many job logs are read per run to find pushed images; of each, the last 4 MiB."),
    maxImageChecks: z
      .int()
      .min(0)
      .max(1000)
      .default(50)
      .describe(
        "At most this many image tags are checked against the registry per run (each check is a manifest request, which ghcr.io counts as a download). Expected tags the logs do not show go first; images past the limit are listed unchecked.",
      ),
  })
  .describe("The PR image report.");

/** Compiled with the other rules' patterns, under their joint limits (see `retry.rules`). */
const regexString = z.string().min(1).max(500);

/**
 * A rule's id: what `retry.rules[].id` allows, and the built-in ids share. The only rule names that may
 * become a Redis key or a metric label (retry/follow-rerun.ts).
 */
export const RULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const retryRule = z
  .strictObject({
    id: z
      .string()
      .regex(RULE_ID, "use lowercase letters, digits and dashes, e.g. `harbor-proxy-reset`")
      .describe("A name for the rule, shown on the PR when it decides."),
    verdict: z
      .enum(["transient", "permanent"])
      .describe("`transient`: a re-run may fix it. `permanent`: never re-run."),
    pattern: regexString.describe(
      "A regular expression, matched case-insensitively against each log line (its first 4,096 characters) by RE2, in time linear in the line: JavaScript syntax without backreferences (`\\1`), lookaround (`(?=…)`, `(?<!…)`), Unicode classes (`\\p{…}`) or classes of characters past U+00FF; at most 1,000 steps once compiled.",
    ),
    operation: z.enum(OPERATIONS).default("any").describe("The registry operation the failure hits, for the report."),
    scope: z
      .enum(["self", "registry"])
      .default("registry")
      .describe(
        "`registry`: the pattern counts only on lines or steps that show registry work. `self`: it counts anywhere.",
      ),
    wait: z
      .literal("long")
      .optional()
      .describe("`long`: a rate limit; wait `backoff.rateLimitSeconds` before the re-run."),
    cause: z.string().min(1).max(300).optional().describe("What went wrong, shown on the PR."),
    fix: z.string().min(1).max(300).optional().describe("How to fix it, shown on the PR."),
  })
  .describe("A failure shape this repository knows about, checked before the built-in rules.");

const retry = z
  .strictObject({
    mode: z
      .enum(["rerun", "dry-run", "off"])
      .default("rerun")
      .describe(
        "`rerun`: re-run jobs whose registry step flaked. `dry-run`: decide and report, never re-run. `off`: do nothing.",
      ),
    maxAttempts: z
      .int()
      .min(1)
      .max(50)
      .default(3)
      .describe(
        "A run is re-run only while its attempt number is below this (the first run is attempt 1). GitHub allows 50.",
      ),
    mixed: z
      .enum(["skip", "rerun-transient"])
      .default("skip")
      .describe(
        "When some failed jobs flaked and others failed for real: `skip` re-runs nothing; `rerun-transient` re-runs one flaky job per attempt and reports the rest.",
      ),
    backoff: z
      .strictObject({
        initialSeconds: z
          .int()
          .min(0)
          .max(3600)
          .default(60)
          .describe("Wait before the first re-run; doubles with each attempt."),
        maxSeconds: z.int().min(0).max(21_600).default(900).describe("The longest wait before a re-run."),
        rateLimitSeconds: z
          .int()
          .min(0)
          .max(21_600)
          .default(1800)
          .describe("The least wait after a rate limit (`toomanyrequests`), whose window is long."),
      })
      .prefault({})
      .describe(
        "Exponential backoff with jitter: the wait is between half and all of `initialSeconds × 2^(attempt-1)`, capped.",
      ),
    dailyBudget: z.int().min(0).max(1000).default(20).describe("At most this many re-runs per repository per UTC day."),
    breaker: z
      .strictObject({
        enabled: z.boolean().default(true).describe("`false`: never pause a rule's re-runs."),
        failures: z
          .int()
          .min(1)
          .max(20)
          .default(3)
          .describe("Re-runs that failed again the same way (same verdict and rule), in a row, that pause the rule."),
        windowHours: z
          .int()
          .min(1)
          .max(168)
          .default(24)
          .describe("The failures count only within this many hours, first to last."),
        cooldownHours: z
          .int()
          .min(1)
          .max(168)
          .default(24)
          .describe("How long the rule's re-runs stay paused in the repository."),
      })
      .prefault({})
      .describe(
        "A rule whose re-runs keep failing the same way in this repository is not a flake here: its re-runs pause for a while, and the PR comment says so. A re-run that passes resets it.",
      ),
    rules: z
      .array(retryRule)
      .max(100)
      .default([])
      .superRefine((rules, ctx) => {
        // Compiling is bounded in all: a pattern over its length limit is already a problem and is not
        // compiled (130 ms for 32 KiB), and compiling stops once the joint limits are passed.
        let chars = 0;
        let program = 0;
        for (const [index, rule] of rules.entries()) {
          if (rule.pattern.length > 500) continue;
          chars += rule.pattern.length;
          if (chars > MAX_RULES_PATTERN_CHARS) {
            ctx.addIssue({
              code: "custom",
              message: `the patterns together are longer than ${MAX_RULES_PATTERN_CHARS} characters: use fewer or shorter patterns`,
            });
            return;
          }
          const checked = checkRepositoryPattern(rule.pattern);
          program += checked.program;
          if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.problem, path: [index, "pattern"] });
          if (program > MAX_RULES_PROGRAM) {
            ctx.addIssue({
              code: "custom",
              message: `the patterns together compile to more than ${MAX_RULES_PROGRAM} steps: use fewer or shorter patterns`,
            });
            return;
          }
        }
      })
      .describe(
        "Extra failure rules, checked before the built-in ones (docs/retry-rules.md). Their patterns together: at most 6,000 characters and 3,000 compiled steps.",
      ),
  })
  .describe("Re-running jobs whose registry push flaked.");

const tagGlob = z.string().min(1).max(200);

const retentionRule = z
  .strictObject({
    tags: z.array(tagGlob).min(1).describe("Tags (globs) this rule applies to, e.g. `feature-*`."),
    olderThanDays: z.int().min(0).max(3650).describe("A version is pruned once it is older than this many days."),
    by: z
      .enum(["created", "updated"])
      .default("updated")
      .describe("Age by the version's `created_at` or `updated_at` (which moves when tags move)."),
    keepNewest: z
      .int()
      .min(0)
      .max(10_000)
      .default(0)
      .describe("Always keep this many of the newest versions the rule matches."),
  })
  .describe("A retention window for tags that are not PR tags.");

const prune = z
  .strictObject({
    mode: z
      .enum(["prune", "dry-run", "off"])
      .default("prune")
      .describe("`prune`: delete. `dry-run`: plan and report, delete nothing. `off`: do nothing."),
    packages: z
      .array(z.string().min(1).max(200))
      .default([])
      .describe(
        "Container packages to prune (nested names such as `app/api` allowed). Empty: the package named like the repository.",
      ),
    pullRequestTags: z
      .array(
        z
          .string()
          .min(1)
          .refine((value) => value.includes("{number}"), "must contain {number}, e.g. `pr-{number}-*`")
          .meta({ pattern: "\\{number\\}" }),
      )
      .default(["pr-{number}", "pr-{number}-*"])
      .describe(
        "Tags (globs with `{number}`) that belong to a pull request; pruned after it closes, never while it is open.",
      ),
    graceHours: z
      .int()
      .min(0)
      .max(720)
      .default(24)
      .describe("Wait this long after a PR closes before pruning its tags; reopening cancels."),
    keep: z
      .array(tagGlob)
      .default(["latest", "stable", "main", "main-*", "master", "master-*", "v*", "release-*", "sha-*"])
      .describe(
        "Tags (globs) that are always kept. A version that carries one is never pruned, whatever its other tags.",
      ),
    retention: z
      .array(retentionRule)
      .default([])
      .describe("Retention windows for other tags; checked by the scheduled sweep only. Empty: none."),
    untaggedOlderThanDays: z
      .int()
      .min(0)
      .max(3650)
      .nullable()
      .default(null)
      .describe("Prune untagged versions that nothing kept references, once older than this. `null`: never."),
    schedule: z
      .string()
      .superRefine((value, ctx) => {
        const parsed = parseCron(value);
        if (typeof parsed === "string")
          ctx.addIssue({ code: "custom", message: `${parsed}; use a 5-field cron expression such as \`0 3 * * *\`` });
      })
      .meta({ pattern: CRON_PATTERN })
      .default("0 3 * * *")
      .describe("When the sweep runs (cron, UTC; jittered per installation)."),
  })
  .describe("Pruning transient container versions from GHCR.");

export const configSchema = z
  .strictObject({
    workflows: workflowSelector.prefault({}),
    report: report.prefault({}),
    retry: retry.prefault({}),
    prune: prune.prefault({}),
  })
  .describe("Dockhand configuration, read from `.github/dockhand.yml` on the default branch.");

/**
 * `_extends` as `load-config.ts` reads it: `repo`, `owner/repo` or `owner/repo:path.yml`, names as GitHub
 * allows them (case-insensitive, spelled out so that JSON Schema's patterns, which take no flags, agree).
 */
export const EXTENDS_PATTERN =
  /^(?:([A-Za-z\d](?:[A-Za-z\d]|-(?=[A-Za-z\d])){0,38})\/)?([-_.\w]+)(?::([-_./\w]+\.[Yy][Aa]?[Mm][Ll]))?$/;

/**
 * A file as written: the config, and `_extends`, which the loader follows and removes before the config
 * is checked. The JSON Schema is generated from this.
 */
export const configFileSchema = configSchema
  .extend({
    _extends: z
      .string()
      .regex(EXTENDS_PATTERN, "use `repo`, `owner/repo` or `owner/repo:path.yml`")
      .optional()
      .describe(
        "Inherit from another file: `repo` (its `.github/dockhand.yml`, same owner), `owner/repo` or `owner/repo:path.yml`. This file's keys win; objects merge, lists replace.",
      ),
  })
  .describe(configSchema.description ?? "");

export type DockhandConfig = z.output<typeof configSchema>;
export type WorkflowSelector = DockhandConfig["workflows"];
export type ReportConfig = DockhandConfig["report"];
export type RetryConfig = DockhandConfig["retry"];
export type PruneConfig = DockhandConfig["prune"];
