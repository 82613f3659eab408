/**
 * A stable fraction in [0, 1) for a key: every replica and every redelivery picks the same jitter for
 * the same work (one run attempt's re-run, one installation's sweep), so they schedule the same moment.
 */
export function stableFraction(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) / 2 ** 32;
}
