/** `twiga-edge serve` as a real child process (from source, through tsx), stopped by its own pid. */
import { type ChildProcess, spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT } from './cli-run.js';

const TSX = pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGINT to the server's own pid; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * @param nodeArgs extra Node flags before the script, e.g. `['--import', probe]` for a test-side instrument.
 */
export function startServer(
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', TSX, ...nodeArgs, `${ROOT}src/node/cli.ts`, 'serve', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return exited;
  };
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      try {
        const { url } = JSON.parse(stdout) as { url: string };
        resolve({ url, child, stderr: () => stderr, stop });
      } catch {
        // the JSON line is not complete yet
      }
    });
    void exited.then((code) =>
      reject(new Error(`twiga-edge serve exited ${code} before listening:\n${stderr}`)),
    );
  });
}
