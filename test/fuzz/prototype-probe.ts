/**
 * Preloaded into a server under fuzz (`node --import`): when it exits, says on stderr whether
 * `Object.prototype` gained any property while it ran. A test-side instrument, not part of the server.
 */
import { writeSync } from 'node:fs';

const before = new Set(Object.getOwnPropertyNames(Object.prototype));
process.on('exit', () => {
  const gained = Object.getOwnPropertyNames(Object.prototype).filter((k) => !before.has(k));
  writeSync(2, `\nprototype-probe: ${gained.length === 0 ? 'clean' : `gained ${gained.join(', ')}`}\n`);
});
