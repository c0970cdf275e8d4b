/** The documentation's files and fenced code blocks, for the tests that keep every example running. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced block: its language, the words after it (`runnable`, `example=flows.ts`) and its code. */
export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  flags: string[];
  code: string;
}

/** README.md, then every guide in docs/ (the generated API reference in docs/api is not a guide). */
export function docFiles(root: string): string[] {
  const guides = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...guides];
}

/** The fenced (```) code blocks of a markdown text, in order. */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: code block never closed`);
    blocks.push({
      file,
      line: start + 1,
      lang: open[1] ?? '',
      flags: (open[2] ?? '').split(/\s+/).filter(Boolean),
      code: `${body.join('\n')}\n`,
    });
  }
  return blocks;
}

/** The prose of a markdown text as paragraphs (code blocks, headings and short lines left out). */
export function paragraphs(markdown: string): string[] {
  const withoutCode = markdown.replace(/^```[^\n]*\n[\s\S]*?^```\s*$/gm, '');
  return withoutCode
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length >= 120 && !p.startsWith('#') && !p.startsWith('|'));
}

/** Reads a doc file relative to `root`. */
export function readDoc(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}
