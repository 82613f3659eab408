/**
 * Helpers that make untrusted text (branch, workflow, job and artifact names, log lines) inert in
 * GitHub markdown. Inside a code span nothing is interpreted: no links, HTML, mentions or references.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

/** `text` as a code span; `table` also escapes `|`, which GFM tables split on even inside code. */
export function code(text: string, options: { table?: boolean } = {}): string {
  let content = text.replace(CONTROL, " ");
  if (options.table) content = content.replaceAll("|", "\\|");
  if (content.trim() === "") return "` `";
  const longestRun = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  const pad = content.startsWith("`") || content.endsWith("`") ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A fenced code block that no line of `content` can close. */
export function codeBlock(content: string, language = ""): string {
  const longestRun = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${content}\n${fence}`;
}

/** A shell word that the shell reads back as exactly `value`. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@=+-]+$/.test(value)) return value;
  return `'${value.replace(CONTROL, "").replaceAll("'", `'\\''`)}'`;
}

/** Only http(s) links to the places Dockhand builds them for; anything else is not a link. */
export function link(text: string, url: string): string {
  return /^https?:\/\/[^\s()<>]+$/.test(url) ? `[${text}](${url})` : text;
}

/** Prose Dockhand or a repository's config wrote (a cause, a fix): shown as text, but no HTML and no pings. */
export function prose(text: string): string {
  return text.replace(CONTROL, " ").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replace(/@(?=[\w-])/g, "@\u200b");
}

/** An ISO time as `2026-11-21 03:00 UTC`. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
