import { TAG_PATTERN } from "../registry/image-ref.js";

/** What a tag or image template may refer to. */
export interface TemplateVars {
  number: number;
  sha: string;
  owner: string;
  repo: string;
  branch: string;
}

/**
 * A branch name as a Docker tag part, the way the seeds' CI does it: lowercase, anything outside
 * `[a-z0-9._-]` (including `/`) becomes `-`, runs of `-` collapse, no leading or trailing `-` or `.`,
 * at most 121 characters so that `-{sha7}` still fits in a tag.
 */
export function sanitizeBranch(branch: string): string {
  const tag = trimDashesAndDots(
    branch
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/-{2,}/g, "-"),
  );
  return trimDashesAndDots(tag.slice(0, 121));
}

/** A loop, not `/[-.]+$/`: that expression starts again from every dash or dot of a long run (`.-.-.-…x`). */
function trimDashesAndDots(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === "-" || text[start] === ".")) start += 1;
  while (end > start && (text[end - 1] === "-" || text[end - 1] === ".")) end -= 1;
  return text.slice(start, end);
}

export function renderTemplate(template: string, vars: TemplateVars): string {
  const values: Record<string, string> = {
    number: String(vars.number),
    sha: vars.sha,
    sha7: vars.sha.slice(0, 7),
    owner: vars.owner,
    repo: vars.repo,
    branch: sanitizeBranch(vars.branch),
  };
  return template.replace(/\{([a-z0-9]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Renders an expected tag; undefined when the result is not a valid Docker tag. */
export function renderTag(template: string, vars: TemplateVars): string | undefined {
  const tag = renderTemplate(template, vars);
  return TAG_PATTERN.test(tag) ? tag : undefined;
}

/** Renders an image repository template; registries want repository paths in lowercase. */
export function renderImage(template: string, vars: TemplateVars): string {
  return renderTemplate(template, vars).toLowerCase();
}

/**
 * A pattern that matches what the template would render for any commit, so that a tag pushed for a
 * different SHA (docker/metadata-action tags PRs with the merge commit by default) can be recognised.
 */
export function templatePatternAnySha(template: string, vars: TemplateVars): RegExp {
  const parts = template.split(/(\{sha7\}|\{sha\})/);
  const source = parts
    .map((part) => {
      if (part === "{sha7}") return "[0-9a-f]{7}";
      if (part === "{sha}") return "[0-9a-f]{40}";
      return renderTemplate(part, vars).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`);
}
