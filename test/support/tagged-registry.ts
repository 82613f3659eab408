import { bareImage } from "./bare-manifests.js";
import { FakeRegistry } from "./fake-registry.js";

/** octo-org/app on a registry served over HTTP: one bare image, under each of `tags`. */
export async function serveTaggedImage(tags: string[]) {
  const registry = new FakeRegistry();
  const digest = registry.put(bareImage());
  for (const tag of tags) registry.tag("octo-org/app", tag, digest);
  return { registry, digest, served: await registry.serve() };
}
