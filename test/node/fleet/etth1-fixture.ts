/** ETTh1 as a panel of 7 series (its columns melted), and the two windows the fleet drift and retraining tests use. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHARED_DATA } from '../data/fixtures.js';

export const ETTH1 = join(SHARED_DATA, 'ETTh1.csv');
/** ETTh1's columns, melted into one series each. */
export const COLUMNS = ['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT'];

/** ETTh1's first 3,000 hours (`first`, a reference or training window) and the next 4,000 (`recent`) as files. */
export async function etth1Windows(files: {
  file(name: string, contents: string): string;
}): Promise<{ first: string; recent: string }> {
  const lines = (await readFile(ETTH1, 'utf8')).trim().split(/\r?\n/);
  return {
    first: files.file('etth1-first.csv', [lines[0], ...lines.slice(1, 3001)].join('\n')),
    recent: files.file('etth1-recent.csv', [lines[0], ...lines.slice(3001, 7001)].join('\n')),
  };
}
