// The dashboard (README "Dashboard"): its pages, the security headers every
// page carries, plain HTTP helpers, and a headless Chromium (Debian's
// `chromium`, driven by playwright-core) for the browser tests.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { after, before } from 'node:test';

import { api, startServer } from './server.mjs';
import { startSmtpSink } from './smtp.mjs';

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
  + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Every page path; the {token} pages with a made-up token.
export const PAGE_PATHS = [
  '/', '/login', '/forgot-password', `/reset-password/${'a'.repeat(64)}`,
  `/invitations/${'b'.repeat(64)}`, '/invitations/accept', '/dashboard', '/settings/api-keys',
  '/team', '/profile', '/tenant-admin/developer', '/super-admin/developer', '/staff', '/docs/api',
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

// A WedoCOD account (seed 000) with one member of each role, made with the
// CLI. Returns {slug, password, users: {owner, admin, agent, viewer}} (emails).
export function makeAccount(server, slug) {
  const password = 'correct horse 1';
  const r = server.cli('tenant', 'create', '--slug', slug, '--name', `Account ${slug}`,
    '--product', 'wedocod', '--json');
  if (r.status !== 0) throw new Error(`tenant create ${slug}: ${r.stderr}`);
  const users = {};
  for (const role of ['owner', 'admin', 'agent', 'viewer']) {
    const email = `${role}@${slug}.test`;
    const u = server.cli('user', 'create', '--tenant', slug, '--role', role, '--email', email,
      '--password', password, '--name', `${role[0].toUpperCase()}${role.slice(1)} of ${slug}`, '--json');
    if (u.status !== 0) throw new Error(`user create ${email}: ${u.stderr}`);
    users[role] = email;
  }
  return { slug, password, users };
}

// Signs in through the sign-in page with the keyboard alone (Tab to each
// field, Enter to submit) and waits for the dashboard.
export async function signIn(page, server, email, password) {
  await page.goto(`${server.url}/login`, { waitUntil: 'networkidle' });
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.url}/dashboard`);
  await page.locator('#who-name').waitFor();
}

// What the page keeps in Web Storage (must stay empty: no token there).
export function webStorage(page) {
  return page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
}

// The before() and after() of a describe() whose tests share one server
// and one Chromium (with a real SMTP server started first when smtp is
// set; env is the server's). setup(ctx) runs once they are up. Returns
// ctx: {server, browser, sink}, filled in by before().
export function browserSuite({ smtp = false, env = {}, setup = null } = {}) {
  const ctx = {};
  before(async () => {
    if (smtp) ctx.sink = await startSmtpSink();
    ctx.server = await startServer(smtp ? ctx.sink.env(env) : env);
    ctx.browser = await launchBrowser();
    if (setup) await setup(ctx);
  }, { timeout: 60000 });
  after(async () => {
    if (ctx.browser) await ctx.browser.close();
    if (ctx.server) await ctx.server.stop();
    if (ctx.sink) await ctx.sink.stop();
  }, { timeout: 30000 });
  return ctx;
}
