// The dashboard (README "Dashboard"): its pages, the security headers every
// page carries, plain HTTP helpers, and a headless Chromium (Debian's
// `chromium`, driven by playwright-core) for the browser tests.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { api } from './server.mjs';

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
  + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Every page path; the {token} pages with a made-up token.
export const PAGE_PATHS = [
  '/', '/login', '/forgot-password', `/reset-password/${'a'.repeat(64)}`,
  `/invitations/${'b'.repeat(64)}`, '/invitations/accept', '/dashboard', '/settings/api-keys',
  '/team', '/profile', '/tenant-admin/developer', '/super-admin/developer', '/staff',
];

// What a browser's navigation sends.
export const NAV_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

// GET (or method) path as a browser's navigation.
export function browserGet(server, p, headers = {}, method = 'GET') {
  return api(server, method, p, { headers: { Accept: NAV_ACCEPT, ...headers } });
}

// The /assets/... paths an HTML or JS text refers to.
export function assetPaths(text) {
  return [...new Set([...text.matchAll(/\/assets\/[A-Za-z0-9_.-]+/g)].map((m) => m[0]))];
}

// ---------------------------------------------------------------- browser

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// Debian's chromium (scripts/deps.sh installs it with the test packages).
export const CHROMIUM = process.env.LATCHKEY_TEST_CHROMIUM || '/usr/bin/chromium';
// Where the browser tests save their screenshots (README "Dashboard").
export const SCREENSHOT_DIR = path.join(ROOT, 'build', 'screenshots');

// A headless Chromium (close it with browser.close()). Root cannot run
// Chromium's sandbox, so it runs without one there (CI runs as root).
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (scripts/deps.sh test)`);
  }
  const args = process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

// A new page in a fresh context (its own cookies) on server, recording
// what a page must never do: console errors, uncaught exceptions, requests
// to another origin, failed requests, 5xx answers. Returns {context, page,
// problems()}. A 4xx answer to the page's own fetch() (a 401 of GET
// /api/user when no one is signed in, a 422 it shows next to a field) is
// an answer the page handles, not a problem, although Chromium logs it as
// a console error; a 4xx of a document, script, stylesheet or image is one.
export async function openPage(browser, server, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const origin = new URL(server.url).origin;
  const seen = [];
  const handled = new Set();
  page.on('response', (res) => {
    const kind = res.request().resourceType();
    if (res.status() >= 500) seen.push(`HTTP ${res.status()}: ${res.url()}`);
    else if (res.status() >= 400 && (kind === 'fetch' || kind === 'xhr')) handled.add(res.url());
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location() && msg.location().url;
    if (/status of 4\d\d/.test(msg.text()) && url && handled.has(url)) return;
    seen.push(`console: ${msg.text()} (${url || '?'})`);
  });
  page.on('pageerror', (err) => seen.push(`exception: ${err.message}`));
  page.on('request', (req) => {
    if (!req.url().startsWith('data:') && new URL(req.url()).origin !== origin) {
      seen.push(`request to another origin: ${req.url()}`);
    }
  });
  page.on('requestfailed', (req) => {
    // A navigation that replaces a page aborts the old page's fetches.
    if (req.failure() && req.failure().errorText === 'net::ERR_ABORTED') return;
    seen.push(`request failed: ${req.url()} ${req.failure() && req.failure().errorText}`);
  });
  return { context, page, problems: () => seen.slice() };
}

// Saves a screenshot of page as SCREENSHOT_DIR/name.png.
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
