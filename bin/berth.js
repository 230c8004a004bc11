#!/usr/bin/env -S node --max-semi-space-size=4
// Thin launcher: the compiled CLI lives in dist/ (`npm run build`).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  console.error(err?.stack ?? String(err));
  process.exit(1);
});
