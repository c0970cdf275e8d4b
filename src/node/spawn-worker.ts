/** Starts a worker thread from `<name>.js` in a build, or `<name>.ts` through tsx when running from source. */
import { Worker } from 'node:worker_threads';

/**
 * @param moduleUrl `import.meta.url` of the module beside the worker file.
 * @param name the worker file's name without extension.
 */
export function spawnWorker(moduleUrl: string, name: string): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl));
  // From source (tests, `--conditions=source`): register tsx in the thread first (tsx is a dev dependency).
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, moduleUrl).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}
