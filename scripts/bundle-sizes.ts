/**
 * Prints the size of every file the browser builds emit (raw and gzip -9) as a Markdown table:
 * `npm run build:web && node --conditions=source --import tsx scripts/bundle-sizes.ts [dir …]`
 * (default `dist/web` and `dist/web-lib`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface FileSize {
  build: string;
  file: string;
  raw: number;
  gzip: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_DIRS = ['dist/web', 'dist/web-lib'];

/** Sizes of every file under `dir` (paths relative to it, `/`-separated), largest first. */
export async function sizesOf(dir: string, build = dir): Promise<FileSize[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: FileSize[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    out.push({
      build,
      file: relative(dir, path).split(sep).join('/'),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
    });
  }
  return out.sort((a, b) => b.raw - a.raw || a.file.localeCompare(b.file));
}

const kb = (bytes: number) =>
  (bytes / 1000).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A Markdown table: one row per file, a total per build. */
export function formatSizes(sizes: readonly FileSize[]): string {
  const rows: string[][] = [];
  for (const build of [...new Set(sizes.map((s) => s.build))]) {
    const files = sizes.filter((s) => s.build === build);
    for (const s of files) rows.push([build, s.file, kb(s.raw), kb(s.gzip)]);
    const sum = (k: 'raw' | 'gzip') => files.reduce((a, s) => a + s[k], 0);
    rows.push([
      build,
      `**total (${files.length} files)**`,
      `**${kb(sum('raw'))}**`,
      `**${kb(sum('gzip'))}**`,
    ]);
  }
  const head = ['build', 'file', 'raw kB', 'gzip kB'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= 2 ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join(' | ')} |`;
  const rule = `| ${width.map((w, i) => (i >= 2 ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_DIRS;
  const sizes: FileSize[] = [];
  for (const dir of dirs) {
    try {
      sizes.push(...(await sizesOf(resolve(ROOT, dir), dir)));
    } catch (error) {
      process.stderr.write(`${dir}: ${(error as Error).message} (run \`npm run build:web\` first)\n`);
      process.exitCode = 1;
    }
  }
  process.stdout.write(`${formatSizes(sizes)}\n`);
}
