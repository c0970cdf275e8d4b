// Writes src/runtime/version.ts from package.json at build time, so every platform (Workers included,
// which has no file system) carries the package version without reading package.json at run time.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const text = `/** The package version, written from package.json by scripts/write-version.mjs at build time. */
export const PACKAGE_VERSION = '${version}';
`;
const target = new URL('src/runtime/version.ts', root);
let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch {
  // first build: the file does not exist yet
}
if (current !== text) writeFileSync(target, text);
