/**
 * Bytes that requests may hold at once, shared by all of them: each request's body is bounded on its
 * own, and this bounds them together, so that many large bodies sent at once (anyone who knows the
 * webhook URL can send them, before any signature is checked) cannot take the process's memory.
 */
export interface ByteBudget {
  /** Takes `bytes` if they fit in what is left, and says whether they did. */
  take(bytes: number): boolean;
  give(bytes: number): void;
  readonly held: number;
}

export function byteBudget(maxBytes: number): ByteBudget {
  let held = 0;
  return {
    take(bytes) {
      if (held + bytes > maxBytes) return false;
      held += bytes;
      return true;
    },
    give(bytes) {
      held = Math.max(0, held - bytes);
    },
    get held() {
      return held;
    },
  };
}
