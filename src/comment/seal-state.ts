import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { commentStateSchema, type CommentState } from "./comment-state.js";

/** The PR a state belongs to: a state sealed for one PR does not open on another. */
export interface PullKey {
  owner: string;
  repo: string;
  number: number;
}

export type OpenedState =
  | { status: "ok"; state: CommentState }
  /** No state line: a comment from before states were sealed, or an edited one. */
  | { status: "none" }
  /** A state line that is not Dockhand's, or not for this PR: it is discarded and the comment rebuilt. */
  | { status: "rejected"; reason: string };

/**
 * The state's one designated place is the comment's last line. Everything above it may contain any
 * text (a fork names its workflow after the marker, say), and is never searched.
 */
const PREFIX = "<!-- dockhand:state v2 ";
const SUFFIX = " -->";
/** A sealed line longer than this is not opened: the renderer never writes one (see fit-state.ts). */
export const MAX_SEALED_LENGTH = 40_000;
/** Inflating a verified state stops here; fit-state.ts keeps the renderer's own states below it. */
export const MAX_STATE_BYTES = 1024 * 1024;

/** The key comes from a secret only the operator's deployment holds (DOCKHAND_STATE_KEY, else WEBHOOK_SECRET). */
export function deriveStateKey(secret: string): Buffer {
  return createHmac("sha256", secret).update("dockhand/comment-state/v2").digest();
}

/**
 * Seals the comment's state with an HMAC, so that the only state Dockhand ever acts on is one it wrote
 * itself for this very PR: a forged, copied or edited state fails verification and is rebuilt.
 */
export class StateSeal {
  constructor(private readonly key: Buffer) {}

  /** The state as the comment's last line: deflated JSON, base64url, and its MAC. */
  seal(state: CommentState, pull: PullKey): string {
    const payload = deflateRawSync(JSON.stringify(state)).toString("base64url");
    return `${PREFIX}${payload} ${this.mac(payload, pull)}${SUFFIX}`;
  }

  open(body: string, pull: PullKey): OpenedState {
    const trimmed = body.trimEnd();
    const line = trimmed.slice(trimmed.lastIndexOf("\n") + 1).replace(/\r$/, "");
    if (!line.startsWith(PREFIX) || !line.endsWith(SUFFIX)) return { status: "none" };
    if (line.length > MAX_SEALED_LENGTH) return { status: "rejected", reason: "state line too long" };
    const [payload, mac, ...rest] = line.slice(PREFIX.length, -SUFFIX.length).split(" ");
    if (!payload || !mac || rest.length > 0) return { status: "rejected", reason: "malformed state line" };
    const expected = Buffer.from(this.mac(payload, pull), "utf8");
    const given = Buffer.from(mac, "utf8");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { status: "rejected", reason: "state signature does not verify" };
    try {
      const json = inflateRawSync(Buffer.from(payload, "base64url"), { maxOutputLength: MAX_STATE_BYTES }).toString(
        "utf8",
      );
      const parsed = commentStateSchema.safeParse(JSON.parse(json));
      // A verified state of another shape was written by another release of Dockhand.
      return parsed.success
        ? { status: "ok", state: parsed.data }
        : { status: "rejected", reason: "state of an unknown shape" };
    } catch {
      return { status: "rejected", reason: "state does not decode" };
    }
  }

  private mac(payload: string, pull: PullKey): string {
    const subject = `${pull.owner}/${pull.repo}#${pull.number}`.toLowerCase();
    return createHmac("sha256", this.key).update(`${subject}\n${payload}`).digest("base64url");
  }
}
