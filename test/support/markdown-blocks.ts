import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A fenced code block of a markdown file, with where it starts (for the failure message). */
export interface FencedBlock {
  file: string;
  line: number;
  lang: string;
  text: string;
}

/** README.md and every docs/*.md: what a reader copies from. */
export function documentationFiles(): string[] {
  return [
    "README.md",
    ...readdirSync("docs")
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => join("docs", name)),
  ];
}

/**
 * Every fenced block (``` or ~~~, CommonMark's rules for closing: the same character, at least as many,
 * nothing after it). An unclosed fence runs to the end of the file, as a renderer shows it.
 */
export function fencedBlocks(file: string): FencedBlock[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const blocks: FencedBlock[] = [];
  let open: { fence: string; lang: string; line: number; body: string[] } | undefined;
  for (const [index, line] of lines.entries()) {
    if (!open) {
      const start = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(line);
      if (start?.[1]) open = { fence: start[1], lang: start[2] ?? "", line: index + 1, body: [] };
      continue;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close?.[1] && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      blocks.push({ file, line: open.line, lang: open.lang, text: open.body.join("\n") });
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  if (open) blocks.push({ file, line: open.line, lang: open.lang, text: open.body.join("\n") });
  return blocks;
}

/** Inline code spans of the prose (outside fenced blocks); a span may run over lines of its paragraph. */
export function inlineCode(file: string): { file: string; line: number; text: string }[] {
  const spans: { file: string; line: number; text: string }[] = [];
  let fence: string | undefined;
  let paragraph: { line: number; text: string } | undefined;
  const flush = () => {
    if (!paragraph) return;
    for (const match of paragraph.text.matchAll(/`([^`]+)`/g)) {
      const line = paragraph.line + (paragraph.text.slice(0, match.index).match(/\n/g)?.length ?? 0);
      spans.push({ file, line, text: (match[1] ?? "").replace(/\s*\n\s*/g, " ") });
    }
    paragraph = undefined;
  };
  for (const [index, line] of readFileSync(file, "utf8").split("\n").entries()) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
      flush();
      fence = fence ? undefined : marker;
      continue;
    }
    if (fence) continue;
    if (line.trim() === "") flush();
    else paragraph = paragraph ? { ...paragraph, text: `${paragraph.text}\n${line}` } : { line: index + 1, text: line };
  }
  flush();
  return spans;
}
