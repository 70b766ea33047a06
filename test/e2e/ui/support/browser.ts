import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`bash scripts/install-chromium.sh`; .ci/run and npm run setup run it). No browser is downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Chromium's flags: headless, and nothing that reaches out on its own (without the background-networking
 * flags it floods a closed network with requests). Playwright gives each launch a fresh user-data-dir.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Where `screenshot()` writes, when UI_SCREENSHOTS=1. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '..', '..', 'docs', 'screenshots');

/**
 * Launches Chromium; fails (never skips) when it is missing. Launch it before starting a test app: a
 * launch that fails then leaves no server or database behind (the suite's afterAll only closes what
 * was assigned).
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install it with \`bash scripts/install-chromium.sh\` (Debian's package chromium) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors of the page, in order ("pageerror: …", "console: …"). */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh context (own sessionStorage and cookies) at 1280×800 unless told otherwise, with its page. */
export async function newPage(browser: Browser, viewport: { width: number; height: number } = DESKTOP): Promise<BrowserPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors, close: () => context.close() };
}

/** Opens /ui, pastes `key` into the sign-in form and waits for the top navigation. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/ui`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Writes docs/screenshots/<name>.png (the viewport) when UI_SCREENSHOTS=1; else does nothing. Returns the path written, if any. */
export async function screenshot(page: Page, name: string): Promise<string | undefined> {
  if (process.env.UI_SCREENSHOTS !== '1') return undefined;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** The sessionStorage entry where the dashboard keeps the API key (ui/src/api.ts). */
export const API_KEY_STORAGE = 'cognition-os.api-key';

/** The API key the page keeps in sessionStorage, or null. */
export function storedApiKey(page: Page): Promise<string | null> {
  return page.evaluate(`sessionStorage.getItem(${JSON.stringify(API_KEY_STORAGE)})`);
}

/** Evaluates a JavaScript expression in the page (a string: the tests compile without the DOM types). */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/**
 * Waits until a JavaScript expression is true in the page. (page.waitForFunction evaluates its
 * string with `new Function` inside the page, which the dashboard's CSP forbids; evaluate does not.)
 * A bound on waiting, not a timing: a loaded machine is slow.
 */
export async function until(page: Page, expression: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await inPage<boolean>(page, expression))) {
    if (Date.now() > deadline) throw new Error(`still false after ${ms} ms: ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
