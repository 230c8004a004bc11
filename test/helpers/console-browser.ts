/**
 * Headless Chromium (Debian's `chromium`, driven by playwright-core) on a Berth's console, for the console's browser
 * tests (issue 21): a page that records what a user would call a problem (a console error, an uncaught exception, an
 * HTTP error, a request to any host but Berth) and the JavaScript it loaded (for the size budget).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
/** Where the browser tests save their screenshots. */
export const SHOTS = join(ROOT, 'test-results', 'console');

/** Why the browser tests cannot run here, or false. */
export const consoleBrowserSkip: string | false = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium)`
  : !existsSync(join(ROOT, 'dist', 'console-ui', 'index.html')) ? 'the console UI is not built (npm run build)'
  : false;

export interface ConsoleBrowser {
  browser: Browser;
  page: Page;
  /** Console errors, page errors, HTTP errors and requests outside Berth, as seen. */
  problems: string[];
  /** The scripts the page loaded, by URL. */
  scripts: Map<string, Buffer>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openConsoleBrowser(endpoint: string): Promise<ConsoleBrowser> {
  mkdirSync(SHOTS, { recursive: true });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  const scripts = new Map<string, Buffer>();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(endpoint)) problems.push(`request outside Berth: ${r.url()}`); });
  page.on('response', async (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    if (r.request().resourceType() === 'script') scripts.set(r.url(), await r.body().catch(() => Buffer.alloc(0)));
  });
  return {
    browser, page, problems, scripts,
    screenshot: async (name) => void (await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })),
    close: () => browser.close(),
  };
}
