/** Test fixtures for the data loader: the shared data folder and small files in a temp dir. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared/data` next to the repository, resolved from this file. */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/** A temp dir whose files are written by `file(name, contents)` and removed by `cleanup()`. */
export function tempFiles(): {
  dir: string;
  file(name: string, contents: string | Uint8Array): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'twiga-data-'));
  return {
    dir,
    file(name, contents) {
      const path = join(dir, name);
      writeFileSync(path, contents);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Epoch ms of a naive `YYYY-MM-DD HH:MM` read as UTC. */
export function ms(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}:00Z`);
}
