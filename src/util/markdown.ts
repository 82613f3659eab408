/**
 * Making text inert in GitHub markdown. Whatever a stranger wrote (branch, workflow, job, step and
 * artifact names, log lines, registry and API messages, a repository's own rule texts) is shown only
 * inside a code span, where nothing is interpreted: no links, images, HTML, mentions or references.
 * Only Dockhand's own sentences are markdown.
 */

// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/**
 * Characters that change how text around them looks without showing themselves: bidi controls
 * (U+202E turns `exe.txt` into `txt.exe`), zero-width and joiner characters, invisible fillers.
 */
const INVISIBLE_CLASS =
  "[\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0]";
// eslint-disable-next-line no-misleading-character-class -- the class lists combining marks one by one, on purpose
const INVISIBLE = new RegExp(INVISIBLE_CLASS, "g");
// eslint-disable-next-line no-misleading-character-class -- as above, plus control characters
const UNSEEN = new RegExp(`${INVISIBLE_CLASS}|[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]`);
/** Untrusted text shown in the comment is cut to this many characters, so no field can crowd out the rest. */
export const MAX_FIELD = 256;

/** Whether `text` holds a character that is invisible or reorders text when shown. */
export function hasInvisible(text: string): boolean {
  return UNSEEN.test(text);
}

/**
 * `text` as it may be shown: control characters become spaces, invisible ones a visible `[U+202E]`,
 * unpaired surrogates U+FFFD, and at most `max` characters (an ellipsis marks the cut).
 */
export function visible(text: string, max = MAX_FIELD): string {
  // Only the first `max` code points are looked at, however long the text.
  const head = text.slice(0, max * 2 + 2);
  const points = Array.from(head);
  const shown = points.length > max || head.length < text.length ? `${points.slice(0, max).join("")}…` : head;
  return shown
    .toWellFormed()
    .replace(CONTROL, " ")
    .replace(INVISIBLE, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);
}

/** `text` as a code span; `table` also escapes `|`, which GFM tables split on even inside code. */
export function code(text: string, options: { table?: boolean; max?: number } = {}): string {
  let content = visible(text, options.max);
  if (options.table) content = content.replaceAll("|", "\\|");
  if (content.trim() === "") return "` `";
  const fence = "`".repeat(longestBacktickRun(content) + 1);
  const pad = content.startsWith("`") || content.endsWith("`") ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** A fenced code block that no line of `content` can close. */
export function codeBlock(content: string, language = ""): string {
  const fence = "`".repeat(Math.max(3, longestBacktickRun(content) + 1));
  return `${fence}${language}\n${content}\n${fence}`;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * A shell word that the shell reads back as exactly `value`; undefined when `value` holds characters
 * a reader cannot see (controls, bidi, zero-width): such a command is not offered at all.
 */
export function shellQuote(value: string): string | undefined {
  if (value === "" || hasInvisible(value) || value.length > MAX_FIELD) return undefined;
  if (/^[A-Za-z0-9_./:@=+-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Only plain http(s) links (Dockhand builds them from GitHub's own URLs); anything else is not a link. */
export function link(text: string, url: string): string {
  return url.length <= 2048 && /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?\/[A-Za-z0-9._~/%+-]*$/.test(url)
    ? `[${text}](${url})`
    : text;
}

/** An ISO time as `2026-11-21 03:00 UTC`. */
export function utcMinute(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return "an unknown time";
  const text = new Date(time).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
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
