/** `twiga-edge --version` / `-V`, and the generated version module kept in step with package.json. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PACKAGE_VERSION } from '../../src/runtime/version.js';
import { ROOT, runCli } from './cli-run.js';

const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };

describe('version', () => {
  it('src/runtime/version.ts matches package.json (npm run build rewrites it)', () => {
    expect(PACKAGE_VERSION).toBe(pkg.version);
  });

  it.each(['--version', '-V'])('twiga-edge %s prints the package version', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
