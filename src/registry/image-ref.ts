/**
 * An image reference as the distribution spec defines it: `[host[:port]/]path[:tag][@digest]`.
 * Parsed strictly, so text from a log that is not a valid reference never becomes one.
 */
export interface ImageRef {
  host: string;
  /** Repository path inside the registry, e.g. `octo-org/app`. */
  path: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const HOST =
  "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const REFERENCE = new RegExp(
  `^(?:(${HOST})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
);

export function parseImageRef(text: string): ImageRef | undefined {
  const match = REFERENCE.exec(text);
  if (!match) return undefined;
  const [, first, rest = "", tag, digest] = match;
  let host = "docker.io";
  let path = rest;
  // A first component is a registry host only if it looks like one (the distribution spec's rule).
  if (first !== undefined) {
    if (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("[")) host = first;
    else path = `${first}/${rest}`;
  }
  if (!REFERENCE.test(path) || path.length > 255) return undefined;
  if (host === "docker.io" && !path.includes("/")) path = `library/${path}`;
  return { host: host.toLowerCase(), path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function repositoryOf(ref: ImageRef): string {
  return `${ref.host}/${ref.path}`;
}

export function formatImageRef(ref: ImageRef): string {
  return `${repositoryOf(ref)}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}
