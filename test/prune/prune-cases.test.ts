import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { planCommand } from "../../src/cli/plan-command.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { readConfigFile } from "../../src/config/read-config-file.js";
import {
  packageVersionSchema,
  pullStateSchema,
  toPackageVersion,
  toPullState,
  type PackageVersion,
} from "../../src/prune/package-version.js";
import { planPrune, type PlanEntry, type PrunePlan } from "../../src/prune/plan-prune.js";
import { parseJsonValues } from "../../src/util/parse-json-values.js";
import { runCli } from "../support/cli.js";
import { checkResponse, findOperation } from "../support/openapi.js";

/**
 * Prune cases as data: each folder of test/fixtures/prune-cases (see its README) is planned by
 * `planPrune` and by `dockhand plan`, and both must give its expected.json, so the CLI cannot drift
 * from the planner. The safety properties over random states stay code, in plan-prune.test.ts.
 */
const CASES = fileURLToPath(new URL("../fixtures/prune-cases/", import.meta.url));
const FILES = new Set(["versions.json", "manifests.json", "dockhand.yml", "pulls.json", "args.json", "expected.json"]);

/** The CLI's flags that are not files. */
const argsSchema = z.strictObject({ now: z.iso.datetime(), pull: z.int().positive().optional() });
type Args = z.infer<typeof argsSchema>;

const entrySchema = z.strictObject({
  id: z.int(),
  tags: z.array(z.string()).min(1).optional(),
  reason: z.string().min(1),
});
type Entry = z.infer<typeof entrySchema>;
const expectedSchema = z.strictObject({
  about: z.string().min(1),
  delete: z.array(entrySchema),
  keep: z.array(entrySchema),
});

const VERSION_LIST = findOperation("GET", "/orgs/octo-org/packages/container/app/versions");

function readJson(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(dir, file), "utf8"));
}

/** The inputs as the app hands them to the planner; versions.json checked against GitHub's description. */
async function planDirectly(dir: string, args: Args): Promise<{ plan: PrunePlan; versions: PackageVersion[] }> {
  assert.ok(VERSION_LIST, "no OpenAPI operation for the package versions list");
  const pages = parseJsonValues(readFileSync(join(dir, "versions.json"), "utf8"));
  for (const page of pages)
    assert.deepEqual(checkResponse(VERSION_LIST, 200, page), [], "versions.json is not what GitHub returns");
  const versions = pages.flat().map((raw) => toPackageVersion(packageVersionSchema.parse(raw)));
  const manifests = new Map(Object.entries(z.record(z.string(), z.unknown()).parse(readJson(dir, "manifests.json"))));
  const pulls = existsSync(join(dir, "pulls.json"))
    ? z.array(pullStateSchema).parse(readJson(dir, "pulls.json")).map(toPullState)
    : [];
  const config = existsSync(join(dir, "dockhand.yml"))
    ? await readConfigFile(join(dir, "dockhand.yml"))
    : parseConfig({});
  assert.ok(config.ok, JSON.stringify(config));
  const scope = args.pull === undefined ? { kind: "sweep" as const } : { kind: "pull" as const, number: args.pull };
  return {
    plan: planPrune({ versions, manifests, config: config.config.prune, pulls, now: Date.parse(args.now), scope }),
    versions,
  };
}

async function planWithCli(dir: string, args: Args): Promise<PrunePlan> {
  const file = (flag: string, name: string) => (existsSync(join(dir, name)) ? [flag, join(dir, name)] : []);
  const pull = args.pull === undefined ? [] : ["--pull", String(args.pull)];
  const argv = [
    ...file("--versions", "versions.json"),
    ...file("--manifests", "manifests.json"),
    ...file("--config", "dockhand.yml"),
    ...file("--pulls", "pulls.json"),
    "--now",
    args.now,
    ...pull,
  ];
  const { status, stdout, stderr } = await runCli(planCommand, argv);
  assert.equal(status, 0, stderr);
  return JSON.parse(stdout) as PrunePlan;
}

/** The plan as expected.json writes it (ids, tags, reasons), once each entry's digest and the coverage are checked. */
function summarize(plan: PrunePlan, versions: PackageVersion[]): { delete: Entry[]; keep: Entry[] } {
  const byId = new Map(versions.map((v) => [v.id, v]));
  const planned = [...plan.delete, ...plan.keep].map((e) => e.id);
  assert.deepEqual(
    planned.toSorted((a, b) => a - b),
    [...byId.keys()].toSorted((a, b) => a - b),
    "the plan covers every version exactly once",
  );
  const entry = ({ id, digest, reason }: PlanEntry): Entry => {
    const tags = byId.get(id)?.tags ?? [];
    assert.equal(digest, byId.get(id)?.digest, `version ${id}'s digest`);
    return { id, ...(tags.length > 0 ? { tags } : {}), reason };
  };
  return { delete: plan.delete.map(entry), keep: plan.keep.map(entry) };
}

describe("prune cases (test/fixtures/prune-cases)", () => {
  const names = readdirSync(CASES, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  assert.ok(names.length > 0, `no cases in ${CASES}`);

  for (const name of names) {
    const dir = join(CASES, name);
    const expected = expectedSchema.parse(readJson(dir, "expected.json"));
    it(`${name}: ${expected.about}`, async () => {
      assert.deepEqual(
        readdirSync(dir).filter((f) => !FILES.has(f)),
        [],
        "files a case does not read",
      );
      const args = argsSchema.parse(readJson(dir, "args.json"));
      const want = { delete: expected.delete, keep: expected.keep };
      const direct = await planDirectly(dir, args);
      assert.deepEqual(summarize(direct.plan, direct.versions), want, "planPrune");
      assert.deepEqual(summarize(await planWithCli(dir, args), direct.versions), want, "dockhand plan");
    });
  }
});
