import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { code, codeBlock, link, shellQuote } from "../../src/report/markdown.js";

describe("markdown helpers", () => {
  it("code spans survive backticks at any position", () => {
    assert.equal(code("plain"), "`plain`");
    assert.equal(code("a`b"), "``a`b``");
    assert.equal(code("`x``"), "``` `x`` ```");
    assert.equal(code("a\nb\u2028c"), "`a b c`");
    assert.equal(code(""), "` `");
  });
  it("escapes pipes only inside tables", () => {
    assert.equal(code("a|b", { table: true }), "`a\\|b`");
    assert.equal(code("a|b"), "`a|b`");
  });
  it("fences cannot be closed from inside", () => {
    assert.equal(codeBlock("x\n```\ny"), "````\nx\n```\ny\n````");
  });
  it("quotes shell words", () => {
    assert.equal(shellQuote("docker-image"), "docker-image");
    assert.equal(shellQuote("it's $(rm -rf /)"), "'it'\\''s $(rm -rf /)'");
  });
  it("links only to http(s) URLs", () => {
    assert.equal(link("x", "https://github.com/o/r"), "[x](https://github.com/o/r)");
    assert.equal(link("x", "javascript:alert(1)"), "x");
  });
});
