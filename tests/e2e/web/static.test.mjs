// The dashboard's static files (README "Dashboard"): the pages and their
// content-hashed assets embedded in the binary, with their caching,
// validators and strict security headers, and pages that share a path with
// an API answering browsers only.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PAGE_PATHS, CSP, assetPaths, browserGet } from '../lib/web.mjs';
import { api, startServer } from '../lib/server.mjs';

const IMMUTABLE = 'public, max-age=31536000, immutable';

function assertStrictHeaders(res, what) {
  assert.equal(res.headers.get('content-security-policy'), CSP, `${what}: CSP`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(res.headers.get('referrer-policy'), 'same-origin', `${what}: Referrer-Policy`);
  assert.equal(res.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
}

describe('web: static pages and assets', () => {
  let server;
  before(async () => { server = await startServer(); }, { timeout: 60000 });
  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('every page: HTML, no-cache, an ETag, the strict headers, no inline script or style', async () => {
    for (const p of PAGE_PATHS) {
      const res = await browserGet(server, p);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', p);
      assert.equal(res.headers.get('cache-control'), 'no-cache', p);
      assert.match(res.headers.get('etag'), /^"[0-9a-f]{16}"$/, p);
      assertStrictHeaders(res, p);
      assert.match(res.text, /^<!doctype html>/, p);
      assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)/, `${p}: inline script`);
      assert.doesNotMatch(res.text, /<style|\sstyle=|\son[a-z]+=/i, `${p}: inline style or handler`);
      assert.doesNotMatch(res.text, /https?:\/\//, `${p}: a reference to another origin`);
    }
  });

  test('a page names its assets by content hash, served immutable with their type', async () => {
    const res = await browserGet(server, '/login');
    const assets = assetPaths(res.text);
    assert.ok(assets.some((a) => /^\/assets\/app\.[0-9a-f]{8}\.css$/.test(a)), assets.join(' '));
    assert.ok(assets.some((a) => /^\/assets\/login\.[0-9a-f]{8}\.js$/.test(a)), assets.join(' '));
    assert.ok(!assets.some((a) => /^\/assets\/[a-z-]+\.(js|css)$/.test(a)), 'an unhashed name');
    const types = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };
    for (const a of assets) {
      const r = await api(server, 'GET', a);
      assert.equal(r.status, 200, a);
      assert.equal(r.headers.get('cache-control'), IMMUTABLE, a);
      assert.equal(r.headers.get('content-type'), types[a.split('.').pop()], a);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', a);
      // The hash in the name is the start of the ETag's.
      assert.equal(r.headers.get('etag').slice(1, 9), a.split('.').at(-2), a);
    }
  });

  test('ES module imports are rewritten to hashed names too', async () => {
    const page = await browserGet(server, '/settings/api-keys');
    const module = assetPaths(page.text).find((a) => a.includes('/api-keys.'));
    const js = await api(server, 'GET', module);
    const imports = [...js.text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    assert.ok(imports.length >= 2, js.text.slice(0, 300));
    for (const i of imports) {
      assert.match(i, /^\/assets\/[a-z-]+\.[0-9a-f]{8}\.js$/);
      assert.equal((await api(server, 'GET', i)).status, 200, i);
    }
  });

  test('If-None-Match with the ETag: 304 without a body, for pages and assets', async () => {
    const page = await browserGet(server, '/dashboard');
    const asset = assetPaths(page.text)[0];
    for (const p of ['/dashboard', asset]) {
      const first = await browserGet(server, p);
      const etag = first.headers.get('etag');
      const again = await browserGet(server, p, { 'If-None-Match': etag });
      assert.equal(again.status, 304, p);
      assert.equal(again.text, '', p);
      assert.equal(again.headers.get('etag'), etag, p);
      const weak = await browserGet(server, p, { 'If-None-Match': `"x", W/${etag}` });
      assert.equal(weak.status, 304, `${p}: weak comparison`);
      const other = await browserGet(server, p, { 'If-None-Match': '"0000000000000000"' });
      assert.equal(other.status, 200, `${p}: another ETag`);
    }
  });

  test('HEAD answers the headers without a body', async () => {
    const res = await browserGet(server, '/login', {}, 'HEAD');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    assert.equal(res.headers.get('content-security-policy'), CSP);
  });

  test('an unknown or stale asset name is a 404, never a page', async () => {
    for (const p of ['/assets/app.00000000.css', '/assets/app.css', '/assets/login.html', '/assets/x']) {
      const res = await api(server, 'GET', p);
      assert.equal(res.status, 404, p);
      assert.equal(res.headers.get('content-type'), 'application/json', p);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
    }
  });

  test('a page answers a browser and any other client alike when no API shares its path', async () => {
    const page = await browserGet(server, '/settings/api-keys');
    assert.equal(page.status, 200);
    assert.match(page.text, /API keys/);
    const any = await api(server, 'GET', '/login', { headers: { Accept: '*/*' } });
    assert.equal(any.status, 200);
    assert.equal(any.headers.get('content-type'), 'text/html; charset=utf-8');
  });

  test('a page accepts GET only', async () => {
    const res = await api(server, 'DELETE', '/dashboard', { headers: { Accept: 'text/html' } });
    assert.equal(res.status, 405);
  });
});
