import type { Octokit, RepoRef } from "./octokit.js";
import { readBodyTail } from "../util/read-body.js";

export interface LogTail {
  /** Whole lines from the end of the log: a range that starts mid-line loses its first, partial line. */
  text: string;
  /** Whether bytes before `text` were left unread. */
  truncated: boolean;
  /** Bytes downloaded. */
  bytesRead: number;
}

/** One range takes at most this long: a minute is ample for 4 MiB, and a hung download must not hold the job. */
const LOG_TIMEOUT_MS = 60_000;

/**
 * The end of one job's log, read backwards in ranges of `chunks` bytes (each further back than the
 * last) until `enough` holds for what was read or the chunks are spent: the log is the job's own
 * output, as long as it chose to make it, and never read whole. Used by the report (pushes) and
 * retry (the failing step) alike.
 */
export async function readJobLogTail(
  octokit: Octokit,
  repo: RepoRef,
  jobId: number,
  options: { chunks: readonly number[]; enough?: (text: string) => boolean },
): Promise<LogTail> {
  const url = await logLocation(octokit, repo, jobId);
  let tail = Buffer.alloc(0);
  let start = Number.POSITIVE_INFINITY;
  let size: number | undefined;
  let bytesRead = 0;
  for (const [index, chunk] of options.chunks.entries()) {
    // A server that ignores ranges sends the whole log: its end is kept up to all the chunks at once.
    const whole = options.chunks.slice(index).reduce((sum, next) => sum + next, 0);
    const range = await readRange(url, { want: chunk, whole }, start, size);
    bytesRead += range.bytesRead;
    size ??= range.size;
    const progressed = range.start < start;
    tail = Buffer.concat([range.body, tail]);
    start = range.start;
    if (!progressed || start === 0 || options.enough?.(wholeLines(tail, start))) break;
  }
  return { text: wholeLines(tail, start), truncated: start > 0, bytesRead };
}

function wholeLines(bytes: Buffer, start: number): string {
  const text = bytes.toString("utf8");
  return start === 0 ? text : text.slice(text.indexOf("\n") + 1);
}

/** GitHub answers the log request with a redirect to a short-lived URL that serves byte ranges. */
async function logLocation(octokit: Octokit, repo: RepoRef, jobId: number): Promise<string> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", {
    ...repo,
    job_id: jobId,
    request: { redirect: "manual" },
  });
  const location = (response.headers as Record<string, string | undefined>).location;
  if (!location) throw new Error(`no log location (HTTP ${response.status})`);
  return location;
}

interface Range {
  body: Buffer;
  /** Where `body` starts in the log. */
  start: number;
  /** The log's length, when the answer said. */
  size: number | undefined;
  bytesRead: number;
}

/**
 * The `want` bytes before `end` (Infinity: the end of the log). The URL is a signed blob URL, not the
 * API: it is fetched without GitHub credentials. Until the log's length is known the first range is a
 * suffix (`bytes=-N`). Azure Blob storage, where github.com keeps logs, takes only offset ranges and
 * sends the whole log for a suffix: that answer is dropped once its length is known, and the range
 * asked again by offsets. Whatever a server sends, only its last `want` bytes are kept (`whole` when
 * it sent the whole log, range ignored).
 */
async function readRange(
  url: string,
  keep: { want: number; whole: number },
  end: number,
  size: number | undefined,
): Promise<Range> {
  const { want, whole } = keep;
  if (end <= 0) return { body: Buffer.alloc(0), start: 0, size, bytesRead: 0 };
  const last = Number.isFinite(end) ? end : size;
  const response = await fetch(url, {
    headers: { range: last === undefined ? `bytes=-${want}` : `bytes=${Math.max(0, last - want)}-${last - 1}` },
    signal: AbortSignal.timeout(LOG_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    // 416: nothing to read (an empty log).
    if (response.status === 416) return { body: Buffer.alloc(0), start: 0, size: 0, bytesRead: 0 };
    throw Object.assign(new Error(`log download answered HTTP ${response.status}`), { status: response.status });
  }
  if (response.status === 206) {
    const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get("content-range") ?? "");
    if (!match || (last !== undefined && Number(match[2]) !== last - 1)) {
      await response.body?.cancel();
      throw new Error("log download answered with another range than asked");
    }
    const { tail, total } = await readBodyTail(response.body, want);
    return {
      body: tail,
      start: Number(match[1]) + total - tail.length,
      size: match[3] === "*" ? undefined : Number(match[3]),
      bytesRead: total,
    };
  }
  // Any other success is the whole log, range ignored. Earlier bytes than those read already would
  // take the whole log again: none are read.
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(end) || (last === undefined && length > want)) {
    await response.body?.cancel();
    return Number.isFinite(end)
      ? { body: Buffer.alloc(0), start: end, size, bytesRead: 0 }
      : readRange(url, keep, end, length);
  }
  const { tail, total } = await readBodyTail(response.body, whole);
  return { body: tail, start: total - tail.length, size: total, bytesRead: total };
}
