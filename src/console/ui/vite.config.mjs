// Builds the console UI into dist/console-ui/ (served by src/console/assets.ts under /_berth/ui/).
// Plain JS so neither Berth's tsc build nor its dependency checker reads it; the UI's types are checked by ui/tsconfig.json.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./'),
  base: '/_berth/ui/',
  // No public/ folder and no network at run time: everything the page needs is in the bundle.
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../../../dist/console-ui'),
    emptyOutDir: true,
    target: 'es2022',
    // One small chunk: the whole UI is a few tens of KB.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
