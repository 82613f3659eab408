import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostStatus, isKnownHost, nearMiss } from "../../src/retry/registry-host.js";
import { compileRules } from "../../src/retry/rule-set.js";
import { KNOWN_REGISTRY_HOSTS } from "../../src/retry/rules.js";

/** Hosts Dockhand knows: names exactly, and `*` as one or more characters anywhere. */
const KNOWN = [
  "ghcr.io",
  "GHCR.IO",
  "ghcr.io:443",
  "us.gcr.io",
  "cdn03.quay.io",
  "us-central1-docker.pkg.dev",
  "myacr.azurecr.io",
  "123.dkr.ecr.eu-west-1.amazonaws.com",
  "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com",
  "us.icr.io",
  "${region}-docker.pkg.dev",
];
const UNKNOWN = [
  "gcr.io.evil.example",
  "azurecr.io",
  ".pkg.dev",
  "pkg.dev",
  "r2.cloudflarestorage.com",
  "registry.corp.example",
  "notghcr.io",
];

describe("isKnownHost", () => {
  it("matches names exactly, and * as one or more characters anywhere", () => {
    for (const host of KNOWN) assert.ok(isKnownHost(host, KNOWN_REGISTRY_HOSTS), host);
    for (const host of UNKNOWN) assert.ok(!isKnownHost(host, KNOWN_REGISTRY_HOSTS), host);
  });

  it("knows a configured registry written with its port (DOCKHAND_REGISTRIES allows host:port)", () => {
    const { knownHosts } = compileRules([], ["Registry.Internal:5000"]);
    for (const host of ["registry.internal:5000", "registry.internal"]) assert.ok(isKnownHost(host, knownHosts), host);
    assert.equal(hostStatus("registry.internai", knownHosts).kind, "near-miss");
  });
});

describe("hostStatus", () => {
  const typos: [string, string, number][] = [
    ["ghrc.io", "ghcr.io", 1],
    ["gchr.io", "ghcr.io", 1],
    ["ghcr.oi", "ghcr.io", 1],
    ["docker.oi", "docker.io", 1],
    ["registry-1.docker.oi", "registry-1.docker.io", 1],
    ["quay.oi", "quay.io", 1],
    ["quayio.io", "quay.io", 2],
    ["us-central1-docker.pkg.dve", "us-central1-docker.pkg.dev", 1],
    ["myacr.azurecr.oi", "myacr.azurecr.io", 1],
    ["myacr.azurcr.io", "myacr.azurecr.io", 1],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.con", "123456789012.dkr.ecr.us-east-1.amazonaws.com", 1],
    ["mcr.microsoft.co", "mcr.microsoft.com", 1],
  ];
  for (const [host, suggestion, distance] of typos) {
    it(`${host} is ${distance} edit${distance === 1 ? "" : "s"} from ${suggestion}`, () => {
      assert.deepEqual(hostStatus(host, KNOWN_REGISTRY_HOSTS), { kind: "near-miss", suggestion, distance });
    });
  }

  it("real hosts of the corpus that are no registry Dockhand knows are not near misses", () => {
    for (const host of [
      "cr.fluentbit.io",
      "registry.suse.de",
      "repoin.harbor.net",
      "reg.lccdomain.com",
      "ourharbor.com",
      "registry.corp.example",
      "container-registry.example.com",
      "harbor.io",
      "gitlab.com",
      "github.com",
      "azurecr.io",
      "registry.camunda.cloud",
      "infradock.jfrog.io.example",
    ]) {
      assert.equal(hostStatus(host, KNOWN_REGISTRY_HOSTS).kind, "unknown", host);
    }
  });

  it("real registries and Docker's own site are known, not typos of the registries they resemble", () => {
    // www.docker.com (in Docker Hub's rate-limit message) is two edits from *.docker.io; lscr.io two from gcr.io.
    for (const host of ["www.docker.com", "desktop.docker.com", "lscr.io", "cgr.dev", "registry.fedoraproject.org"])
      assert.equal(hostStatus(host, KNOWN_REGISTRY_HOSTS).kind, "known", host);
  });

  it("an address, a name with other characters or one past 100 characters is never a near miss", () => {
    for (const host of ["10.100.198.200", "ghcr.io/", "ghc$.io", `${"a".repeat(250)}.io`])
      assert.equal(hostStatus(host, KNOWN_REGISTRY_HOSTS).kind, "unknown", host);
  });

  it("knows the operator's own registries and their near misses", () => {
    const known = [...KNOWN_REGISTRY_HOSTS, "registry.corp.example"];
    assert.equal(hostStatus("registry.corp.example:5000", known).kind, "known");
    assert.deepEqual(hostStatus("registry.crop.example", known), {
      kind: "near-miss",
      suggestion: "registry.corp.example",
      distance: 1,
    });
  });
});

describe("nearMiss", () => {
  it("counts a swap of two neighbours as one edit, and more than two edits as none", () => {
    assert.equal(nearMiss("ab.io", "ba.io")?.distance, 1);
    assert.equal(nearMiss("docker.io", "dokcer.oi")?.distance, 2);
    assert.equal(nearMiss("quay.io", "gcr.io"), null);
    assert.equal(nearMiss("ghcr.io", "ghcr.io"), null);
  });

  it("lets a star take the host's own labels, and spells them in the suggestion", () => {
    assert.deepEqual(nearMiss("a.b.azurecr.oi", "*.azurecr.io"), { suggestion: "a.b.azurecr.io", distance: 1 });
    assert.deepEqual(
      nearMiss("docker-images-prod.abc.r2.cloudflarestorage.con", "docker-images-prod.*.r2.cloudflarestorage.com"),
      {
        suggestion: "docker-images-prod.abc.r2.cloudflarestorage.com",
        distance: 1,
      },
    );
  });
});
