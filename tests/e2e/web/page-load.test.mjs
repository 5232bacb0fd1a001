// Every dashboard page in a real Chromium (Debian's, through
// playwright-core): the strict CSP header, no console error or uncaught
// exception, no request to another origin, every asset 200 with the
// immutable cache header, labelled fields, a visible keyboard focus, and
// no horizontal scrolling at a phone's width (375 px).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CSP, browserSuite, makeAccount, openPage, screenshot, signIn } from '../lib/web.mjs';

const IMMUTABLE = 'public, max-age=31536000, immutable';

// The pages a visitor without a session sees as themselves.
const PUBLIC_PAGES = [
  ['/login', 'login'],
  ['/forgot-password', 'forgot-password'],
  [`/reset-password/${'a'.repeat(64)}?email=a%40example.test`, 'reset-password'],
  [`/invitations/${'b'.repeat(64)}`, 'invitation'],
  ['/docs/api', 'api-docs'],
];

// The pages of a signed-in member (the screenshot's name second).
const SIGNED_IN_PAGES = [
  ['/dashboard', 'dashboard'],
  ['/settings/api-keys', 'api-keys'],
  ['/profile', 'profile'],
  ['/tenant-admin/developer', 'developer'],
  ['/team', 'team'],
];

// Loads p in a fresh page (signed in as who = [email, password] first, if
// given) and runs every check; returns the page and its context.
async function loadAndCheck(browser, server, p, { width = 1280, who = null } = {}) {
  const { context, page, problems } = await openPage(browser, server, { width });
  try {
    if (who) await signIn(page, server, ...who);
    const assets = [];
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.startsWith('/assets/')) assets.push(res);
    });
    const res = await page.goto(server.url + p, { waitUntil: 'networkidle' });
    assert.equal(res.status(), 200, p);
    assert.equal(new URL(page.url()).pathname, p.split('?')[0], `${p}: stays on the page`);
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
  const ctx = browserSuite();

  for (const [p, name] of PUBLIC_PAGES) {
    test(`${name}: desktop and phone width`, async () => {
      for (const width of [1280, 375]) {
        const { page, context } = await loadAndCheck(ctx.browser, ctx.server, p, { width });
        await page.evaluate(() => document.activeElement.blur()); // the Tab's focus off
        await screenshot(page, `${name}-${width}`);
        await context.close();
      }
    });
  }

  test('the root is the sign-in page', async () => {
    const { page, context } = await loadAndCheck(ctx.browser, ctx.server, '/');
    assert.equal(await page.locator('h1').textContent(), 'Sign in');
    await context.close();
  });
});

describe('web: every signed-in page in Chromium', () => {
  let who;
  const ctx = browserSuite({ setup: () => {
    const acct = makeAccount(ctx.server, 'pages');
    who = [acct.users.owner, acct.password];
  } });

  for (const [p, name] of SIGNED_IN_PAGES) {
    test(`${name}: desktop and phone width`, async () => {
      for (const width of [1280, 375]) {
        const { page, context } = await loadAndCheck(ctx.browser, ctx.server, p, { width, who });
        await page.locator('#who-name').waitFor();
        await page.evaluate(() => document.activeElement.blur()); // the Tab's focus off
        await screenshot(page, `${name}-${width}`);
        await context.close();
      }
    });
  }

  test('Developer & API: the tenant, the JWKS URL and filled-in curl examples', async () => {
    const { context, page } = await openPage(ctx.browser, ctx.server);
    await signIn(page, ctx.server, ...who);
    await page.goto(`${ctx.server.url}/tenant-admin/developer`);
    await page.locator('#examples pre').first().waitFor();
    const me = await page.evaluate(() => fetch('/api/user', { headers: { Accept: 'application/json' } })
      .then((r) => r.json()));
    const tenant = await page.locator('#tenant').textContent();
    assert.ok(tenant.includes(String(me.tenant.id)) && tenant.includes('pages'), tenant);
    const urls = await page.locator('#urls').textContent();
    assert.ok(urls.includes(`${ctx.server.url}/.well-known/jwks.json`), urls);
    assert.ok(urls.includes(`${ctx.server.url}/api/web/1.0`), urls);
    const examples = await page.locator('#examples pre').allTextContents();
    assert.ok(examples.length >= 5, examples.join('\n'));
    assert.ok(examples.some((e) => e.includes(`${ctx.server.url}/api/web/1.0/leads?per_page=25`)));
    assert.ok(examples.some((e) => e.includes('X-Tenant: pages')), 'the tenant slug filled in');
    await context.close();
  });

  test('a visitor without a session is sent to sign in', async () => {
    const { context, page } = await openPage(ctx.browser, ctx.server);
    for (const [p] of SIGNED_IN_PAGES) {
      await page.goto(ctx.server.url + p);
      await page.waitForURL(`${ctx.server.url}/login`);
    }
    await context.close();
  });
});
