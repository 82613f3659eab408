import { parseImageRef, type ImageRef } from "../registry/image-ref.js";
import { lookupKey, type ExpectedTargets } from "./build-run-report.js";
import type { PushedImage } from "./parse-pushed-images.js";

export interface ImageChecks {
  /** To look up, by lookup key. */
  lookup: [string, ImageRef][];
  /** Of those, the ones that cost a registry request (hosts off the allow-list cost none). */
  requests: number;
  /** Tags of this report left without a lookup, for the limit. */
  unchecked: number;
}

/**
 * Which tags of one PR's report are looked up in the registry, within what is left of the run's
 * `report.maxImageChecks`: a log may name thousands of images, and on ghcr.io each manifest read
 * counts as a download. Expected tags the logs do not show go first (only the registry can say
 * whether they exist), then pushed images in log order. Tags another PR of the run already had
 * looked up, and tags on hosts off the allow-list (never requested), do not count.
 */
export function planImageChecks(
  pushed: PushedImage[],
  expected: ExpectedTargets["targets"],
  options: { done: ReadonlyMap<string, unknown>; budget: number; isAllowed: (host: string) => boolean },
): ImageChecks {
  const wanted = new Map<string, ImageRef>();
  const pushedKeys = new Set(pushed.map((image) => lookupKey(`${image.host}/${image.path}`, image.tag)));
  for (const target of expected) {
    const key = lookupKey(target.repository, target.tag);
    const ref = pushedKeys.has(key) ? undefined : parseImageRef(`${target.repository}:${target.tag}`);
    if (ref) wanted.set(key, ref);
  }
  for (const image of pushed) {
    const key = lookupKey(`${image.host}/${image.path}`, image.tag);
    if (!wanted.has(key)) wanted.set(key, image);
  }
  const lookup: [string, ImageRef][] = [];
  let requests = 0;
  let unchecked = 0;
  for (const [key, ref] of wanted) {
    if (options.done.has(key)) continue;
    const free = !options.isAllowed(ref.host);
    if (free || requests < options.budget) {
      lookup.push([key, ref]);
      if (!free) requests += 1;
    } else {
      unchecked += 1;
    }
  }
  return { lookup, requests, unchecked };
}
