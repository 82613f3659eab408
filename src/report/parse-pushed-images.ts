import { parseImageRef, formatImageRef, type ImageRef } from "../registry/image-ref.js";
import { MAX_LINE_CHARS } from "../retry/log-line.js";

/** An image reference that a job's own output says it pushed. */
export interface PushedImage extends ImageRef {
  tag: string;
  /** How the log said it: which tool's line. */
  via: "buildx" | "docker push" | "podman push";
}

// Runner log lines start with an ISO timestamp; tools may colour their output.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const BUILDX_PUSH = /(?:^|\s)pushing manifest for (\S+)@(sha256:[a-f0-9]{64})\b/;
const DOCKER_REPOSITORY = /^The push refers to repository \[([^\]\s]+)\]$/;
const DOCKER_DIGEST = /^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}): digest: (sha256:[a-f0-9]{64}) size: \d+$/;
// One `\s`, not `\s+`: `\s+(.*)$` would split a run of spaces every way before giving up on a `\u2028`.
const PODMAN_COMMAND = /^(?:##\[group\]Run |\+ |\$ )?(?:sudo )?podman (?:image )?push\s(.*)/;
const PODMAN_DONE = /^Writing manifest to image destination$/;

export function cleanLogLine(line: string): string {
  return line.replace(TIMESTAMP, "").replace(ANSI, "").trim();
}

/**
 * Finds the images a job log says were pushed, with digests where the tool printed them. Only lines
 * that the tools print after a push count (not build metadata, which `push: false` builds print too),
 * and every reference must parse under the reference grammar. A line counts up to `MAX_LINE_CHARS`.
 */
export function parsePushedImages(log: string): PushedImage[] {
  const found = new Map<string, PushedImage>();
  const add = (text: string, digest: string | undefined, via: PushedImage["via"]) => {
    const ref = parseImageRef(digest && !text.includes("@") ? `${text}@${digest}` : text);
    if (!ref?.tag) return;
    const image: PushedImage = { ...ref, tag: ref.tag, via };
    const key = formatImageRef({ ...image, digest: undefined });
    const existing = found.get(key);
    if (!existing || (!existing.digest && image.digest)) found.set(key, image);
  };

  let dockerRepository: string | undefined;
  let podmanTarget: string | undefined;
  for (const raw of log.split("\n")) {
    const line = cleanLogLine(raw.slice(0, MAX_LINE_CHARS));
    let match: RegExpExecArray | null;
    if ((match = BUILDX_PUSH.exec(line))) {
      add(match[1] ?? "", match[2], "buildx");
    } else if ((match = DOCKER_REPOSITORY.exec(line))) {
      dockerRepository = match[1];
    } else if (dockerRepository && (match = DOCKER_DIGEST.exec(line))) {
      add(`${dockerRepository}:${match[1]}`, match[2], "docker push");
    } else if ((match = PODMAN_COMMAND.exec(line))) {
      const args = (match[1] ?? "").split(/\s+/).filter((arg) => arg && !arg.startsWith("-"));
      podmanTarget = args[args.length - 1]?.replace(/^docker:\/\//, "");
    } else if (podmanTarget && PODMAN_DONE.test(line)) {
      add(podmanTarget, undefined, "podman push");
      podmanTarget = undefined;
    }
  }
  return [...found.values()];
}
