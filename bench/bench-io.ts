/** What the benches share around their measurements: reading `--name value` flags, writing the results file. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/** `get('duration')` → the value after `--duration`; `num('duration', 10)` → it as a number, or the fallback. */
export function flagReader(args: readonly string[]) {
  const get = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string, fallback: number): number => Number(get(name) ?? fallback);
  return { get, num };
}

/** Biome's layout for a results file, so that `biome check .` stays clean (it checks bench/results too). */
export function formatJson(path: string): void {
  try {
    const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
    execFileSync(process.execPath, [biome, 'format', '--write', path], { stdio: 'ignore' });
  } catch (error) {
    process.stderr.write(`[bench] could not format ${path} with biome: ${(error as Error).message}\n`);
  }
}
