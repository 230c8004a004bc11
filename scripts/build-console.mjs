// `npm run build`'s second step: type-checks the console UI (src/console/ui/tsconfig.json) and builds it with Vite
// into dist/console-ui/, which Berth serves under /_berth/ui/. Skipped when the build is newer than every source
// file (npm test builds first, and most changes do not touch the UI).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uiDir = join(root, 'src/console/ui');
const stamp = join(root, 'dist/console-ui/index.html');
const sources = [join(root, 'src/console/views.ts'), join(root, 'package-lock.json')];
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(dir, e.name)) : sources.push(join(dir, e.name))));
walk(uiDir);

const mtime = (p) => { try { return statSync(p).mtimeMs; } catch { return -1; } };
const built = mtime(stamp);
if (built > 0 && sources.every((p) => mtime(p) <= built) && !process.argv.includes('--force')) process.exit(0);

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(uiDir, 'tsconfig.json')], { stdio: 'inherit' });
const { build } = await import('vite');
await build({ configFile: join(uiDir, 'vite.config.mjs') });
