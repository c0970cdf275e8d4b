/** Vite config: the browser library build and demo page land here with the worker runtime. */
import { defineConfig } from 'vite';

export default defineConfig({
  build: { outDir: 'dist/web', emptyOutDir: true },
});
