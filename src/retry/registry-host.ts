/**
 * Which registry a host is: a known one, a near miss of one (one or two edits away: a typo, with the
 * name it was probably meant to be), or neither. Patterns are host names where `*` stands for one or
 * more characters (`*.azurecr.io`, `docker-images-prod.*.r2.cloudflarestorage.com`).
 */
export type HostStatus =
  { kind: "known" } | { kind: "near-miss"; suggestion: string; distance: number } | { kind: "unknown" };

/** How many edits (insert, delete, substitute, swap two neighbours) still make a near miss. */
export const MAX_TYPO_EDITS = 2;
/**
 * The longest host worth a near-miss check: registry names are far shorter (an ECR host is 44
 * characters), and the check costs the host's length times each pattern's.
 */
const MAX_HOST_LENGTH = 100;
const HOST_NAME = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;
const IP_ADDRESS = /^[\d.]+$/;

/** Whether a host (a `:port` is ignored) is one of the patterns. */
export function isKnownHost(host: string, patterns: readonly string[]): boolean {
  const name = bareHost(host);
  return patterns.some((pattern) => globMatches(name, pattern.toLowerCase()));
}

/** The host's status against the known patterns; a near miss only for a plausible DNS name. */
export function hostStatus(host: string, patterns: readonly string[]): HostStatus {
  if (isKnownHost(host, patterns)) return { kind: "known" };
  const name = bareHost(host);
  if (name.length > MAX_HOST_LENGTH || !HOST_NAME.test(name) || IP_ADDRESS.test(name)) return { kind: "unknown" };
  let best: { suggestion: string; distance: number } | null = null;
  for (const pattern of patterns) {
    const target = pattern.toLowerCase();
    // A wildcard stands for labels of the host's own: the host must have at least as many labels.
    if (target.includes("*") && labels(name) < labels(target)) continue;
    const miss = nearMiss(name, target);
    if (miss && (!best || miss.distance < best.distance)) best = miss;
  }
  return best ? { kind: "near-miss", ...best } : { kind: "unknown" };
}

function bareHost(host: string): string {
  return host.toLowerCase().replace(/:\d+$/, "");
}

function labels(name: string): number {
  return name.split(".").length;
}

/**
 * `*` matches one or more characters. Greedy with one remembered star: O(host × pattern) at worst,
 * and both are short (a pattern is a host name; a host is at most a line's first 4,096 characters).
 */
function globMatches(name: string, pattern: string): boolean {
  const first = pattern.indexOf("*");
  if (first < 0) return name === pattern;
  // Each star takes a character at least; the text before the first and after the last star is fixed.
  const last = pattern.lastIndexOf("*");
  if (
    name.length < pattern.length ||
    !name.startsWith(pattern.slice(0, first)) ||
    !endsWithFrom(name, pattern, last + 1)
  )
    return false;
  if (first === last) return true;
  let n = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] === "*") {
      star = p;
      p += 1;
      resume = n + 1;
      n += 1; // the star takes at least one character
    } else if (p < pattern.length && pattern[p] === name[n]) {
      p += 1;
      n += 1;
    } else if (star >= 0) {
      p = star + 1;
      n = resume;
      resume += 1;
    } else return false;
  }
  return p === pattern.length;
}

/** Whether `name` ends with `pattern` from index `from` on (`name.endsWith(pattern.slice(from))`, without the copy). */
function endsWithFrom(name: string, pattern: string, from: number): boolean {
  const offset = name.length - pattern.length;
  for (let i = pattern.length - 1; i >= from; i -= 1)
    if (name.charCodeAt(offset + i) !== pattern.charCodeAt(i)) return false;
  return true;
}

/**
 * Optimal-string-alignment distance (Damerau-Levenshtein without overlapping edits) from the host to
 * any name the pattern allows, `*` taking one or more of the host's characters for free; and that
 * name. Null unless it is 1 to `MAX_TYPO_EDITS`. O(host × pattern) time and memory, both short.
 */
export function nearMiss(host: string, pattern: string): { suggestion: string; distance: number } | null {
  const n = host.length;
  const m = pattern.length;
  if (!pattern.includes("*") && Math.abs(n - m) > MAX_TYPO_EDITS) return null;
  const h = (i: number) => host.charCodeAt(i - 1);
  const p = (j: number) => pattern.charCodeAt(j - 1);
  const width = m + 1;
  const cost = new Array<number>((n + 1) * width).fill(INFINITE);
  const at = (i: number, j: number) => cost[i * width + j] ?? INFINITE;
  cost[0] = 0;
  for (let i = 0; i <= n; i += 1) {
    for (let j = 0; j <= m; j += 1) {
      if (i === 0 && j === 0) continue;
      let best = INFINITE;
      if (j > 0 && p(j) === STAR) {
        // The star takes host[i-1], as its first character or one more.
        if (i > 0) best = Math.min(at(i - 1, j - 1), at(i - 1, j));
      } else {
        if (i > 0 && j > 0) best = Math.min(best, at(i - 1, j - 1) + (h(i) === p(j) ? 0 : 1));
        if (i > 0) best = Math.min(best, at(i - 1, j) + 1);
        if (j > 0) best = Math.min(best, at(i, j - 1) + 1);
        if (swapped(host, pattern, i, j)) best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      cost[i * width + j] = best;
    }
  }
  const distance = at(n, m);
  if (distance < 1 || distance > MAX_TYPO_EDITS) return null;
  return { suggestion: alignedName(host, pattern, at), distance };
}

const STAR = "*".charCodeAt(0);
const INFINITE = Number.MAX_SAFE_INTEGER;

/** Whether the host's two characters before `i` are the pattern's two before `j`, the other way round. */
function swapped(host: string, pattern: string, i: number, j: number): boolean {
  return (
    i > 1 &&
    j > 1 &&
    pattern.charCodeAt(j - 2) !== STAR &&
    pattern.charCodeAt(j - 1) !== STAR &&
    host.charCodeAt(i - 1) === pattern.charCodeAt(j - 2) &&
    host.charCodeAt(i - 2) === pattern.charCodeAt(j - 1)
  );
}

/** Walks the cheapest alignment back: the pattern's characters, the host's where a star stands. */
function alignedName(host: string, pattern: string, at: (i: number, j: number) => number): string {
  const out: string[] = [];
  let i = host.length;
  let j = pattern.length;
  while (i > 0 && j > 0) {
    const here = at(i, j);
    const p = pattern.charAt(j - 1);
    const h = host.charAt(i - 1);
    if (p === "*") {
      out.push(h);
      // The star took this character: stay on it while it took more, or leave it where it started.
      if (at(i - 1, j) !== here) j -= 1;
      i -= 1;
    } else if (at(i - 1, j - 1) + (h === p ? 0 : 1) === here) {
      out.push(p);
      i -= 1;
      j -= 1;
    } else if (swapped(host, pattern, i, j) && at(i - 2, j - 2) + 1 === here) {
      out.push(p, pattern.charAt(j - 2));
      i -= 2;
      j -= 2;
    } else if (at(i - 1, j) + 1 === here) {
      i -= 1;
    } else {
      out.push(p);
      j -= 1;
    }
  }
  // What is left of the pattern was inserted (a star cannot be left over on a finite path).
  for (; j > 0; j -= 1) out.push(pattern.charAt(j - 1));
  return out.reverse().join("");
}
