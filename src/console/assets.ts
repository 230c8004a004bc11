/**
 * The built UI (`npm run build` writes it to dist/console-ui/, see ui/vite.config.mjs), served under /_berth/ui/.
 * Hashed files under assets/ never change, so browsers keep them for a year; index.html is revalidated on every load
 * so a new build is picked up at once. Any other path under /_berth/ui/ is a deep link into the UI (its router reads
 * the path), answered with index.html.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The build output: dist/console-ui/ at the package root (this file is src/console/ or dist/console/). */
export const UI_DIR = fileURLToPath(new URL('../../dist/console-ui/', import.meta.url));

export const UI_PREFIX = '/_berth/ui/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Asset {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

const notBuilt = (): Asset => ({
  status: 503,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body: `The Berth console is not built (no ${join(UI_DIR, 'index.html')}): run \`npm run build\`.\n`,
});

async function file(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** The answer for a path under /_berth/ui/ (already known to start with it, query removed). */
export async function uiAsset(path: string, dir = UI_DIR): Promise<Asset> {
  const rel = normalize(path.slice(UI_PREFIX.length));
  if (rel.startsWith('assets' + sep) && !rel.includes('..')) {
    const body = await file(join(dir, rel));
    if (body) {
      return {
        status: 200,
        headers: { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' },
        body,
      };
    }
    // A missing hashed asset is an old page asking for a replaced build: a 404, not the HTML shell.
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'Not found.\n' };
  }
  const index = await file(join(dir, 'index.html'));
  if (!index) return notBuilt();
  return {
    status: 200,
    headers: {
      'content-type': TYPES['.html'],
      'cache-control': 'no-cache',
      // The UI asks for nothing beyond Berth itself (no network at run time).
      'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    body: index,
  };
}
