/**
 * Fits shared by the test files of one vitest run: the first file that asks for a key trains into the run's
 * folder (made and removed by test/node/global-setup.ts), the others wait for it and read that checkpoint.
 * Files asserting different figures of one training so read one fit instead of each refitting it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder of this run's shared fits (test/node/global-setup.ts). */
    sharedFitDir: string;
  }
}

/**
 * The folder `train(dir)` filled for `key` (JSON of everything that decides the fit), trained once per run.
 * A file whose `train` throws releases the key: a waiting file then trains (and fails) on its own.
 */
export async function sharedFit(key: unknown, train: (dir: string) => Promise<void>): Promise<string> {
  const id = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  const dir = join(inject('sharedFitDir'), id);
  const done = join(dir, '.done');
  // mkdir is atomic: one file holds the lock while it trains, the others poll for `.done`.
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(done)) return dir;
    if (await claim(lock)) {
      try {
        if (existsSync(done)) return dir;
        // What a failed owner left.
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await train(dir);
        await writeFile(done, '');
        return dir;
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    }
    await sleep(500);
  }
}

async function claim(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
