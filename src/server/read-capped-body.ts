import type { IncomingMessage } from "node:http";

export type CappedBody =
  | { outcome: "read"; chunks: Buffer[]; bytes: number }
  | { outcome: "too large"; bytes: number }
  | { outcome: "aborted" };

/**
 * A request's body as it arrived (chunks, not yet joined: a caller that refuses it never copies it),
 * never holding more than `maxBytes` of it: a Content-Length over the limit
 * is refused before anything is read, and a body without one (chunked) is counted as it streams and
 * dropped as soon as it passes the limit; what the client sends after that is discarded unread.
 */
export function readCappedBody(request: IncomingMessage, maxBytes: number): Promise<CappedBody> {
  const declared = Number(request.headers["content-length"]);
  if (declared > maxBytes) return Promise.resolve({ outcome: "too large", bytes: declared });
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let bytes = 0;
    const finish = (result: CappedBody) => {
      request.off("data", onData).off("end", onEnd).off("error", onAbort).off("close", onAbort);
      if (result.outcome !== "read") chunks = [];
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) finish({ outcome: "too large", bytes });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ outcome: "read", chunks, bytes });
    const onAbort = () => finish({ outcome: "aborted" });
    request.on("data", onData).once("end", onEnd).once("error", onAbort).once("close", onAbort);
  });
}
