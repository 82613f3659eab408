import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerPullsQuery, type GraphqlPull } from "./fake-graphql.js";

const PULL: GraphqlPull = { number: 1, state: "OPEN", closedAt: null, mergedAt: null };
const repository = (owner: string, name: string) =>
  owner === "o" && name === "r" ? (n: number) => (n === 1 ? PULL : undefined) : undefined;
const ask = (query: string, variables: Record<string, unknown> = { owner: "o", name: "r" }) =>
  answerPullsQuery({ query, variables }, repository);

describe("the fake GitHub's GraphQL", () => {
  it("answers the pull request query, variables or literals, in GitHub's shape", () => {
    const { answer, problem } = ask(
      "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { p1: pullRequest(number: 1) { number state closedAt } p2: pullRequest(number: 2) { number } } }",
    );
    assert.equal(problem, undefined);
    assert.deepEqual(answer.data, {
      repository: { p1: { number: 1, state: "OPEN", closedAt: null }, p2: null },
    });
    assert.deepEqual(
      answer.errors?.map((e) => [e.type, e.path, e.message]),
      [["NOT_FOUND", ["repository", "p2"], "Could not resolve to a PullRequest with the number of 2."]],
    );
    const literal = ask('{ repository(owner: "o", name: "r") { a: pullRequest(number: $n) { state } } }', { n: 1 });
    assert.match(String(literal.problem), /\$n is not declared/);
    const declared = ask(
      'query($n: Int!) { repository(owner: "o", name: "r") { a: pullRequest(number: $n) { state } } }',
      {
        n: 1,
      },
    );
    assert.deepEqual(declared.answer.data, { repository: { a: { state: "OPEN" } } });
  });

  it("refuses every other shape with a GraphQL error, as a violation", () => {
    for (const query of [
      "mutation { addComment(input: {}) { clientMutationId } }",
      "{ viewer { login } }",
      '{ repository(owner: "o", name: "r") { pullRequest(number: 1) { state } } }',
      '{ repository(owner: "o", name: "r") { p1: pullRequest(number: 1) { title } } }',
      '{ repository(owner: "o", name: "r") { p1: issue(number: 1) { state } } }',
      '{ repository(owner: "o", name: "r") { p1: pullRequest(number: 2147483648) { state } } }',
      '{ repository(owner: "o", name: "r") { p1: pullRequest(number: 1) { state } p1: pullRequest(number: 2) { state } } }',
      '{ repository(owner: "o", name: "r") { p1: pullRequest(number: 1) { state } }',
    ]) {
      const { answer, problem } = ask(query);
      assert.ok(problem, query);
      assert.equal(answer.data, undefined, query);
      assert.equal(answer.errors?.length, 1, query);
    }
  });

  it("says when the repository cannot be resolved", () => {
    const { answer } = ask('{ repository(owner: "o", name: "x") { p1: pullRequest(number: 1) { state } } }');
    assert.deepEqual(answer.data, { repository: null });
    assert.deepEqual(answer.errors?.[0]?.path, ["repository"]);
  });
});
