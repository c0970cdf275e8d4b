/** The node project's run-wide folder for fits shared between test files (test/node/shared-fit.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'twiga-shared-fits-'));
  project.provide('sharedFitDir', dir);
  return () => rm(dir, { recursive: true, force: true });
}
