/**
 * Debian's chromium driven by playwright-core (`npx playwright install` cannot download here).
 * Every page records console errors and uncaught exceptions; tests assert there are none.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Git-ignored (.artifacts/ in the root .gitignore). */
export const SCREENSHOT_DIR = path.resolve(fileURLToPath(new URL('../../.artifacts/screenshots', import.meta.url)));

export const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far, as text. */
  errors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openPage(browser: Browser, viewport: ViewportName, opts: { acceptDownloads?: boolean } = {}): Promise<WatchedPage> {
  // Reduced motion: screenshots show settled bars, not a transition half-way.
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], acceptDownloads: opts.acceptDownloads ?? false, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error at ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught at ${page.url()}: ${err.message}`));
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    context,
    errors,
    async screenshot(name) {
      const file = path.join(SCREENSHOT_DIR, `${name}-${VIEWPORTS[viewport].width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: () => context.close(),
  };
}
