// tests/e2e/lib/staff.mjs - the staff console (/staff, issue 15): a
// suite with a WNCMS site (an Admin and an Editor with API tokens) and
// three staff members (Owner, Support, Developer), the console opened
// signed in, and requests made from the page with its session and CSRF
// token.

import { createStaff, STAFF_PASSWORD } from './admin.mjs';
import { browserSuite, openPage, signIn } from './web.mjs';
import { WNCMS_ENV, createSite } from './wncms.mjs';

// The posts API's index endpoint: [method, path, body].
export const INDEX = ['POST', '/api/v1/posts', { page_size: 1 }];

// browserSuite() with the site `blog` (ctx.site) and the staff members
// owner@, support@ and dev@staff.test (password STAFF_PASSWORD).
export function staffSuite() {
  const ctx = browserSuite({ env: WNCMS_ENV, setup: () => {
    ctx.site = createSite(ctx.server, 'blog');
    createStaff(ctx.server, 'owner@staff.test', 'owner');
    createStaff(ctx.server, 'support@staff.test', 'support');
    createStaff(ctx.server, 'dev@staff.test', 'developer');
  } });
  return ctx;
}

// Signs in as email and opens /staff; resolves once the page has decided
// (the staff role shown, or the no-access notice). Returns openPage()'s.
export async function openConsole(ctx, email, password = STAFF_PASSWORD, width = 1280) {
  const opened = await openPage(ctx.browser, ctx.server, { width });
  await signIn(opened.page, ctx.server, email, password);
  await opened.page.goto(`${ctx.server.url}/staff`);
  await opened.page.waitForFunction(() => !document.getElementById('staff-role').hidden
    || !document.getElementById('no-access').hidden);
  return opened;
}

// A request from the page with its session and CSRF token: {status, body}.
export function pageFetch(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const xsrf = document.cookie.split('; ').find((c) => c.startsWith('XSRF-TOKEN='));
    const res = await fetch(p, {
      method: m,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json',
        'X-XSRF-TOKEN': xsrf ? decodeURIComponent(xsrf.slice(11)) : '' },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    return { status: res.status, body: await res.json() };
  }, [method, path, body]);
}
