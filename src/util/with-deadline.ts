/** `work`'s answer, or `fallback` when it fails or has not answered within `ms` (the timer never holds the process). */
export async function withDeadline<T>(work: () => Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .catch(() => fallback),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
