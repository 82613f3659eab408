import nock from "nock";
import type { FakeGitHub } from "./fake-github.js";

/** Serves a FakeGitHub through nock, for in-process tests. The network stays closed to anything else. */
export function interceptGitHub(fake: FakeGitHub): () => void {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  const scopes = [fake.apiUrl, fake.logsUrl].map((url) => {
    const origin = new URL(url).origin;
    const scope = nock(origin).persist();
    for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
      // Callback style, so that a lost answer can end the request with a socket error.
      scope.intercept(/.*/, method).reply(function (this: nock.ReplyFnContext, uri, requestBody, callback) {
        fake
          .handle({
            method,
            url: new URL(uri, origin),
            headers: flattenHeaders(this.req.headers),
            body: parseBody(requestBody),
          })
          .then(
            (response) => {
              if (response.drop) {
                setTimeout(
                  () => callback(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), [0, ""]),
                  response.hangMs ?? 0,
                );
                return;
              }
              const body =
                typeof response.body === "string" || response.body === undefined
                  ? (response.body ?? "")
                  : JSON.stringify(response.body);
              callback(null, [
                response.status,
                body,
                { "content-type": "application/json; charset=utf-8", ...response.headers },
              ]);
            },
            (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), [0, ""]),
          );
      });
    }
    return scope;
  });
  return () => {
    for (const scope of scopes) scope.persist(false);
    nock.cleanAll();
    nock.enableNetConnect();
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : v]),
  );
}

function parseBody(body: unknown): unknown {
  if (typeof body !== "string" || body === "") return body === "" ? undefined : body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
