import type { IncomingMessage } from "node:http";
import type { ByteBudget } from "./byte-budget.js";

export type CappedBody =
  | { outcome: "read"; chunks: Buffer[]; bytes: number }
  | { outcome: "too large"; bytes: number }
  /** The shared budget had no room for the next chunk: other requests hold it. */
  | { outcome: "busy"; bytes: number }
  | { outcome: "aborted" };

/**
 * A request's body as it arrived (chunks, not yet joined: a caller that refuses it never copies it),
 * never holding more than `maxBytes` of it: a Content-Length over the limit
 * is refused before anything is read, and a body without one (chunked) is counted as it streams and
 * dropped as soon as it passes the limit; what the client sends after that is discarded unread.
 * With a `budget`, every chunk kept is taken from it, and a chunk it has no room for ends the read as
 * `busy`; the bytes of a body read whole stay taken until the caller gives them back.
 */
export function readCappedBody(request: IncomingMessage, maxBytes: number, budget?: ByteBudget): Promise<CappedBody> {
  const declared = Number(request.headers["content-length"]);
  if (declared > maxBytes) return Promise.resolve({ outcome: "too large", bytes: declared });
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let bytes = 0;
    let taken = 0;
    const finish = (result: CappedBody) => {
      request.off("data", onData).off("end", onEnd).off("error", onAbort).off("close", onAbort);
      if (result.outcome !== "read") {
        chunks = [];
        budget?.give(taken);
      }
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) finish({ outcome: "too large", bytes });
      else if (budget && !budget.take(chunk.length)) finish({ outcome: "busy", bytes });
      else {
        taken += chunk.length;
        chunks.push(chunk);
      }
    };
    const onEnd = () => finish({ outcome: "read", chunks, bytes });
    const onAbort = () => finish({ outcome: "aborted" });
    request.on("data", onData).once("end", onEnd).once("error", onAbort).once("close", onAbort);
  });
}
