/** What the benches share around their measurements: reading `--name value` flags, writing the results file. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';

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

/**
 * The machine a results file was measured on: CPUs, Node, and the load averages (1, 5, 15 min) at the start
 * and end of the run, since other processes share these cores.
 */
export function machineInfo(loadAtStart: number[]) {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? '',
    node: process.version,
    loadAtStart,
    loadAtEnd: loadavg(),
  };
}
