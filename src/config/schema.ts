import { z } from "zod";

/** Placeholders a tag or image template may use; see `render-template.ts`. */
export const TEMPLATE_PLACEHOLDERS = ["number", "sha", "sha7", "branch", "owner", "repo"] as const;

const templateString = z.string().min(1).superRefine((value, ctx) => {
  for (const match of value.matchAll(/\{([^}]*)\}/g)) {
    const name = match[1] ?? "";
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
      ctx.addIssue({
        code: "custom",
        message: `unknown placeholder {${name}}; use one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
      });
    }
  }
});

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
      .describe("At most this many job logs are read per run to find pushed images."),
  })
  .describe("The PR image report.");

export const configSchema = z
  .strictObject({
    workflows: workflowSelector.prefault({}),
    report: report.prefault({}),
  })
  .describe("Dockhand configuration, read from `.github/dockhand.yml` on the default branch.");

export type DockhandConfig = z.output<typeof configSchema>;
export type WorkflowSelector = DockhandConfig["workflows"];
export type ReportConfig = DockhandConfig["report"];
