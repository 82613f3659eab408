import { createRequire } from "node:module";

type Done = (error: Error | null) => void;
interface Datastore {
  runScript(name: string, args: string[]): Promise<unknown>;
}

/**
 * Redis 7 answers a Bottleneck script's "unknown client" and "settings gone" as `ERR UNKNOWN_CLIENT` and
 * `ERR SETTINGS_KEY_NOT_FOUND`; Bottleneck 2.19.5 only knows the bare names, so a replica its peers
 * timed out (a stall over 10 s), or every replica after a Redis restart, never registers again and each
 * of its limited calls fails. patches/bottleneck+2.19.5.patch (patch-package, run by `npm ci`) teaches
 * it the prefix. This asks the installed datastore itself: a script answered with each prefixed error
 * once must recover (register, or set the limiter up again) and run again. No Redis is needed.
 */
async function recoversFromPrefixedErrors(): Promise<boolean> {
  const RedisDatastore = createRequire(import.meta.url)("bottleneck/lib/RedisDatastore.js") as { prototype: Datastore };
  const cases = [
    { error: "ERR UNKNOWN_CLIENT", recovery: "register_client" },
    { error: "ERR SETTINGS_KEY_NOT_FOUND", recovery: "init" },
  ];
  for (const { error, recovery } of cases) {
    const calls: string[] = [];
    const store: Datastore = Object.assign(Object.create(RedisDatastore.prototype) as Datastore, {
      ready: Promise.resolve(),
      Promise,
      clientId: "self-check",
      originalId: "self-check",
      instance: { Events: { trigger: () => undefined }, queued: () => 0 },
      prepareInitSettings: () => [],
      connection: {
        __scriptArgs__: (name: string, _id: string, _args: unknown[], done: Done) => [name, done],
        __scriptFn__: () => (name: string, done: Done) => {
          calls.push(name);
          done(calls.length === 1 ? new Error(error) : null);
        },
      },
    });
    try {
      await store.runScript("submit", []);
    } catch {
      return false;
    }
    if (calls.join() !== `submit,${recovery},submit`) return false;
  }
  return true;
}

/** Why clustered Bottleneck cannot work on Redis 7 as installed, or undefined when it can. */
export const bottleneckRedis7Problem: string | undefined = await (async () => {
  let found: string;
  try {
    if (await recoversFromPrefixedErrors()) return undefined;
    found = "does not recover from Redis 7's `ERR UNKNOWN_CLIENT` or `ERR SETTINGS_KEY_NOT_FOUND`";
  } catch (error) {
    found = `could not be checked (${error instanceof Error ? error.message : String(error)})`;
  }
  return (
    `bottleneck ${found}: its fix, patches/bottleneck+2.19.5.patch, is not applied. ` +
    "Install with `npm ci` (install scripts on), or run `npm run postinstall` after `npm ci --ignore-scripts`."
  );
})();
