/**
 * The documentation stays true: README short, one guide per job, every runnable block runs, every
 * public export documented, the CLI reference equal to the commands' own --help, no guide repeating another.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CodeBlock, codeBlocks, docFiles, paragraphs, readDoc } from '../../scripts/docs/blocks.js';
import { CLI_REFERENCE, cliReference } from '../../scripts/docs/cli-reference.js';
import { undocumentedExports } from '../../scripts/docs/doc-coverage.js';
import { ROOT, runTs } from './cli-run.js';

/** One guide per job (issue: "docs a newcomer can walk"); each opens with a runnable example. */
const GUIDES = [
  'getting-started',
  'data-and-features',
  'models',
  'evaluation',
  'monitoring',
  'flows-and-tracking',
  'forecast-api',
  'browser',
  'checkpoints',
  'fleet',
  'operations',
  'benchmarks',
  'architecture',
  'contributing',
] as const;

const root = ROOT.replace(/\/$/, '');
const files = docFiles(root);
const blocksOf = (file: string) => codeBlocks(file, readDoc(root, file));
const runnable = (b: CodeBlock) => b.flags.includes('runnable');

// Runnable TS blocks are written inside the package (so `twiga-edge/*` resolves to itself) and run in a temp folder.
const scratch = join(root, '.docs-run');
const work: string[] = [];
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  for (const dir of work) rmSync(dir, { recursive: true, force: true });
});

/** A `twiga-edge` on PATH, as `npm install twiga-edge` gives a user: the CLI from source. */
function cliShim(): string {
  const bin = mkdtempSync(join(tmpdir(), 'twiga-docs-bin-'));
  work.push(bin);
  const tsx = pathToFileURL(`${root}/node_modules/tsx/dist/loader.mjs`).href;
  const shim = join(bin, 'twiga-edge');
  writeFileSync(
    shim,
    `#!/bin/sh\nexec "${process.execPath}" --conditions=source --import ${tsx} "${root}/src/node/cli.ts" "$@"\n`,
  );
  chmodSync(shim, 0o755);
  return bin;
}

function runShell(code: string, cwd: string, bin: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', code], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ code: status ?? -1, output }));
  });
}

describe('README and guides', () => {
  it('README is a quick start of at most 200 lines', () => {
    expect(readDoc(root, 'README.md').split('\n').length).toBeLessThanOrEqual(200);
  });

  it.each(GUIDES)('docs/%s.md exists and opens with a runnable example', (guide) => {
    const [first] = blocksOf(`docs/${guide}.md`).filter((b) => b.lang !== 'text');
    expect(first, `docs/${guide}.md has no code block`).toBeDefined();
    expect(
      runnable(first!) || first!.flags.some((f) => f.startsWith('example=')),
      `docs/${guide}.md:${first!.line}`,
    ).toBe(true);
  });

  it('relative links point at files that exist', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const [, target] of readDoc(root, file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        if (!existsSync(join(root, dirname(file), target!))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('no paragraph of prose stands in two files (link instead)', () => {
    const seen = new Map<string, string>();
    const repeated: string[] = [];
    for (const file of files) {
      for (const p of new Set(paragraphs(readDoc(root, file)))) {
        const other = seen.get(p);
        if (other !== undefined) repeated.push(`${other} and ${file}: ${p.slice(0, 80)}…`);
        else seen.set(p, file);
      }
    }
    expect(repeated).toEqual([]);
  });

  it('examples named by a block (example=FILE) appear verbatim', () => {
    for (const file of files) {
      for (const b of blocksOf(file)) {
        const name = b.flags.find((f) => f.startsWith('example='))?.slice('example='.length);
        if (name === undefined) continue;
        expect(b.code.trim(), `${file}:${b.line}`).toBe(
          readFileSync(`${root}/examples/${name}`, 'utf8').trim(),
        );
      }
    }
  });

  it(`${CLI_REFERENCE} is the commands' own --help (npm run docs regenerates it)`, () => {
    expect(readDoc(root, CLI_REFERENCE)).toBe(cliReference());
  });

  it('every public export has a doc comment', () => {
    const missing = undocumentedExports(root).map(
      (m) => `${m.name} (${m.declaredIn}, exported by ${m.entry})`,
    );
    expect(missing).toEqual([]);
  });
});

describe('runnable blocks run', () => {
  const withRunnable = files.filter((f) => blocksOf(f).some(runnable));
  it.each(withRunnable)('%s', async (file) => {
    // A fresh folder with ../shared beside it, as in the repository (the benchmarks guide reads ../shared/data).
    const base = mkdtempSync(join(tmpdir(), 'twiga-docs-'));
    work.push(base);
    const cwd = join(base, 'work');
    mkdirSync(cwd);
    if (existsSync(join(root, '../shared'))) symlinkSync(join(root, '../shared'), join(base, 'shared'));
    const bin = cliShim();
    for (const block of blocksOf(file).filter(runnable)) {
      const where = `${file}:${block.line}`;
      if (block.lang === 'ts') {
        const path = join(scratch, file.replace(/[/.]/g, '_'), `block-${block.line}.ts`);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, block.code);
        const r = await runTs(path, [], { cwd });
        expect(r.code, `${where}\n${r.stderr}`).toBe(0);
      } else if (block.lang === 'sh') {
        const r = await runShell(block.code, block.flags.includes('cwd=repo') ? root : cwd, bin);
        expect(r.code, `${where}\n${r.output}`).toBe(0);
      } else {
        throw new Error(`${where}: only ts and sh blocks can be runnable, not "${block.lang}"`);
      }
    }
  });
});
