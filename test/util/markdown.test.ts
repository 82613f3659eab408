import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { code, codeBlock, hasInvisible, link, shellQuote, utcMinute, visible } from "../../src/util/markdown.js";

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
  it("offers no shell word a reader cannot see whole", () => {
    for (const name of [
      "image\u202e.tar",
      "ima\u200bge",
      "a\u2066b",
      "line\nbreak",
      "tab\there",
      "\ufeffbom",
      "",
      "x".repeat(300),
    ]) {
      assert.equal(shellQuote(name), undefined, JSON.stringify(name));
    }
  });
  it("links only to plain http(s) URLs", () => {
    assert.equal(link("x", "https://github.com/o/r"), "[x](https://github.com/o/r)");
    assert.equal(link("x", "javascript:alert(1)"), "x");
    assert.equal(link("x", "https://evil.example/a) ![i](https://evil.example/p.png"), "x");
    assert.equal(link("x", 'https://github.com/o/r "title"'), "x");
  });
  const neutralised: [string, string, string][] = [
    ["right-to-left override", "build\u202egpj.exe", "build[U+202E]gpj.exe"],
    ["left-to-right isolate", "a\u2066b\u2069", "a[U+2066]b[U+2069]"],
    ["zero-width space", "ghcr.io/o/a\u200bpp", "ghcr.io/o/a[U+200B]pp"],
    ["zero-width joiner", "x\u200dy", "x[U+200D]y"],
    ["byte order mark", "\ufeffname", "[U+FEFF]name"],
    ["soft hyphen", "pro\u00adduction", "pro[U+00AD]duction"],
    ["lone surrogate", "a\ud800b", "a\ufffdb"],
    ["C1 control", "a\u009bb", "a b"],
  ];
  for (const [what, input, shown] of neutralised) {
    it(`shows a ${what} as visible text`, () => {
      assert.equal(visible(input), shown);
      assert.equal(code(input), `\`${shown}\``);
      assert.ok(hasInvisible(input) || what === "lone surrogate");
    });
  }
  it("cuts long fields, so none can crowd out the comment", () => {
    assert.equal(visible("x".repeat(10_000)).length, 257);
    assert.equal(code("y".repeat(1_000_000), { max: 10 }), "`yyyyyyyyyy…`");
    assert.equal(visible("😀".repeat(300)), `${"😀".repeat(256)}…`, "cut at code points, not halves of a pair");
  });
  it("formats only real times", () => {
    assert.equal(utcMinute("2026-11-21T03:00:59Z"), "2026-11-21 03:00 UTC");
    assert.equal(utcMinute("[x](https://evil)"), "an unknown time");
  });
});
