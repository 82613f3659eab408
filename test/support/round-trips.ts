/** One request as the server saw it: when it arrived and when its answer left (`performance.now()`). */
export interface Exchange {
  method: string;
  path: string;
  start: number;
  /** 0 while unanswered. */
  end: number;
  /** 0: the answer was dropped. */
  status?: number;
}

/**
 * The critical path of a set of requests, in round trips: the longest chain of requests each of which
 * arrived after the previous one's answer left (so it may have waited for it). Requests sent together
 * count once; requests sent one after another count each. Measured at the server, so it needs answers
 * that take time (an injected latency): an instant answer may leave before its concurrent sibling
 * arrives, and the two would count as sequential. Unanswered requests are left out.
 */
export function sequentialRoundTrips(exchanges: readonly Pick<Exchange, "start" | "end">[]): number {
  const answered = exchanges.filter((e) => e.end > 0);
  const byStart = [...answered].sort((a, b) => a.start - b.start || a.end - b.end);
  const byEnd = [...answered].sort((a, b) => a.end - b.end);
  // chain: the longest chain ending with a request; before: the longest among those answered so far.
  const chain = new Map<Pick<Exchange, "start" | "end">, number>();
  let before = 0;
  let retired = 0;
  let longest = 0;
  for (const exchange of byStart) {
    for (; retired < byEnd.length && byEnd[retired]!.end <= exchange.start; retired += 1)
      before = Math.max(before, chain.get(byEnd[retired]!) ?? 0);
    chain.set(exchange, before + 1);
    longest = Math.max(longest, before + 1);
  }
  return longest;
}
