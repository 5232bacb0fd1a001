// Every dashboard page in a real Chromium (Debian's, through
// playwright-core): the strict CSP header, no console error or uncaught
// exception, no request to another origin, every asset 200 with the
// immutable cache header, labelled fields, a visible keyboard focus, and
// no horizontal scrolling at a phone's width (375 px).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CSP, launchBrowser, openPage, screenshot } from '../lib/web.mjs';
import { startServer } from '../lib/server.mjs';

const IMMUTABLE = 'public, max-age=31536000, immutable';

// The pages a visitor without a session sees as themselves.
const PUBLIC_PAGES = [
  ['/login', 'login'],
  ['/forgot-password', 'forgot-password'],
  [`/reset-password/${'a'.repeat(64)}?email=a%40example.test`, 'reset-password'],
  [`/invitations/${'b'.repeat(64)}`, 'invitation'],
];

// Loads p in a fresh page and runs every check; returns the page's info.
async function loadAndCheck(browser, server, p, { width = 1280 } = {}) {
  const { context, page, problems } = await openPage(browser, server, { width });
  try {
    const assets = [];
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.startsWith('/assets/')) assets.push(res);
    });
    const res = await page.goto(server.url + p, { waitUntil: 'networkidle' });
    assert.equal(res.status(), 200, p);
    assert.equal(res.headers()['content-security-policy'], CSP, `${p}: CSP`);
    assert.ok(assets.length >= 3, `${p}: stylesheet, icon and module(s) loaded`);
    for (const a of assets) {
      assert.equal(a.status(), 200, a.url());
      assert.equal(a.headers()['cache-control'], IMMUTABLE, a.url());
    }
    // Every form control has a label (a <label for>, or an aria label).
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els
      .filter((e) => e.type !== 'hidden')
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
        && !e.getAttribute('aria-labelledby'))
      .map((e) => e.outerHTML));
    assert.deepEqual(unlabelled, [], `${p}: unlabelled fields`);
    // The first Tab lands on something, and its focus ring shows.
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const e = document.activeElement;
      const s = getComputedStyle(e);
      return { tag: e.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    assert.notEqual(focus.tag, 'BODY', `${p}: Tab focuses nothing`);
    assert.ok(focus.style !== 'none' && focus.width >= 2, `${p}: no visible focus (${JSON.stringify(focus)})`);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `${p}: ${scroll} px wide at a ${width} px viewport`);
    assert.deepEqual(problems(), [], p);
    return { page, context };
  } catch (err) {
    await context.close();
    throw err;
  }
}

describe('web: every page in Chromium', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  }, { timeout: 60000 });
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  }, { timeout: 30000 });

  for (const [p, name] of PUBLIC_PAGES) {
    test(`${name}: desktop and phone width`, async () => {
      for (const width of [1280, 375]) {
        const { page, context } = await loadAndCheck(browser, server, p, { width });
        await screenshot(page, `${name}-${width}`);
        await context.close();
      }
    });
  }

  test('the root is the sign-in page', async () => {
    const { page, context } = await loadAndCheck(browser, server, '/');
    assert.equal(await page.locator('h1').textContent(), 'Sign in');
    await context.close();
  });
});
