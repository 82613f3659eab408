/** An answer longer than its reader's limit: refused, with nothing past the limit buffered. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`answer larger than ${formatLimit(limit)}`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * A response body read whole, up to `limit` bytes. A declared length over the limit is refused before
 * any byte is read; an undeclared one is refused as soon as the stream passes it (at most one chunk
 * more is held), and the rest is never downloaded.
 */
export async function readBodyUpTo(response: Response, limit: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new BodyTooLargeError(limit);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of streamOf(response.body)) {
    length += chunk.length;
    if (length > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/**
 * The last `limit` bytes of a body, and how many bytes it had: earlier chunks are dropped as later
 * ones arrive, so memory stays within `limit` plus one chunk however long the body is.
 */
export async function readBodyTail(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<{ tail: Buffer; total: number }> {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of streamOf(body)) {
    chunks.push(chunk);
    kept += chunk.length;
    total += chunk.length;
    while (chunks.length > 1 && kept - (chunks[0]?.length ?? 0) >= limit) kept -= chunks.shift()?.length ?? 0;
  }
  const joined = Buffer.concat(chunks, kept);
  return { tail: joined.subarray(Math.max(0, joined.length - limit)), total };
}

/** Breaking out of the loop cancels the stream, so an abandoned body is not downloaded further. */
async function* streamOf(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export function formatLimit(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
