// CORS as Laravel ships it (config/cors.php defaults, fruitcake/php-cors):
// preflights on /api/*, /admin/* and the JWKS answered 204 before routing
// (no authentication, no rate limit), the requested method and headers
// echoed, max age 0, no credentials; actual responses carry
// Access-Control-Allow-Origin. LATCHKEY_CORS_ORIGINS: "*" (default) or a list.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from '../lib/server.mjs';

const TOKEN = '/api/v1/auth/token';
const APP = 'https://app.example.com';

function preflight(server, path, { origin = APP, method = 'POST', headers } = {}) {
  const h = { 'Access-Control-Request-Method': method };
  if (origin) h.Origin = origin;
  if (headers) h['Access-Control-Request-Headers'] = headers;
  return api(server, 'OPTIONS', path, { headers: h });
}

const acao = (res) => res.headers.get('access-control-allow-origin');

describe('server: CORS with any origin (the default)', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_TOKEN: '3/60' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('preflight: 204 with Laravel\'s headers', async () => {
    const res = await preflight(server, TOKEN, { method: 'post', headers: 'content-type,x-tenant' });
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    assert.equal(acao(res), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(res.headers.get('access-control-allow-headers'), 'content-type,x-tenant');
    assert.equal(res.headers.get('access-control-max-age'), '0');
    assert.equal(res.headers.get('vary'),
      'Access-Control-Request-Method, Access-Control-Request-Headers');
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    assert.ok(res.headers.get('x-request-id'));
  });

  test('preflight needs no credential, no route, and is not rate limited', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await preflight(server, TOKEN);
      assert.equal(res.status, 204, `preflight ${i}: ${res.text}`);
      assert.equal(res.headers.get('x-ratelimit-limit'), null);
    }
    const post = await api(server, 'POST', TOKEN, { body: {}, headers: { Origin: APP } });
    assert.equal(post.status, 422, post.text);
    assert.equal(post.headers.get('x-ratelimit-remaining'), '2', 'the preflights were not counted');
    for (const path of ['/api/v1/auth/me', '/api/v1/team/members/5', '/admin/users',
      '/api/v1/nope', '/.well-known/jwks.json']) {
      const res = await preflight(server, path, { method: 'DELETE', headers: 'authorization' });
      assert.equal(res.status, 204, `${path}: ${res.text}`);
      assert.equal(acao(res), '*', path);
      assert.equal(res.headers.get('access-control-allow-methods'), 'DELETE', path);
    }
  });

  test('actual responses: Access-Control-Allow-Origin: * when the request has an Origin', async () => {
    const cases = [
      ['POST', TOKEN, {}, 422],
      ['GET', '/api/v1/auth/user', undefined, 401],
      ['GET', '/api/v1/nope', undefined, 404],
      ['GET', TOKEN, undefined, 405],
      ['GET', '/.well-known/jwks.json', undefined, 200],
      ['GET', '/admin/auth/me', undefined, 401],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await api(server, method, path, { body, headers: { Origin: APP } });
      assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
      assert.equal(acao(res), '*', `${method} ${path}`);
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      const plain = await api(server, method, path, { body });
      assert.equal(acao(plain), null, `${method} ${path} without Origin`);
    }
  });

  test('paths outside api/*, admin/* and the JWKS take no part', async () => {
    const res = await preflight(server, '/healthz', { method: 'GET' });
    assert.equal(res.status, 405, res.text);
    assert.equal(acao(res), null);
    const get = await api(server, 'GET', '/healthz', { headers: { Origin: APP } });
    assert.equal(get.status, 200);
    assert.equal(acao(get), null);
  });

  test('OPTIONS without Access-Control-Request-Method is routed as before', async () => {
    const res = await api(server, 'OPTIONS', TOKEN, { headers: { Origin: APP } });
    assert.equal(res.status, 405, res.text);
    assert.equal(acao(res), '*');
    assert.equal(res.headers.get('vary'), 'Access-Control-Request-Method');
  });
});

describe('server: CORS with LATCHKEY_CORS_ORIGINS', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_CORS_ORIGINS: `${APP}, http://localhost:3000` });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('a listed origin is echoed, with Vary: Origin', async () => {
    for (const origin of [APP, 'http://localhost:3000']) {
      const res = await preflight(server, TOKEN, { origin, headers: 'content-type' });
      assert.equal(res.status, 204);
      assert.equal(acao(res), origin);
      assert.equal(res.headers.get('access-control-allow-methods'), 'POST');
      assert.equal(res.headers.get('access-control-allow-headers'), 'content-type');
      assert.equal(res.headers.get('vary'),
        'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
      const post = await api(server, 'POST', TOKEN, { body: {}, headers: { Origin: origin } });
      assert.equal(acao(post), origin);
      assert.equal(post.headers.get('vary'), 'Origin');
    }
  });

  test('another origin gets no Access-Control-Allow-Origin', async () => {
    for (const origin of ['https://evil.example', `${APP}/`, 'https://APP.example.com', null]) {
      const res = await preflight(server, TOKEN, { origin, headers: 'content-type' });
      assert.equal(res.status, 204);
      assert.equal(acao(res), null, String(origin));
      assert.equal(res.headers.get('access-control-allow-methods'), null);
      assert.equal(res.headers.get('vary'), 'Origin, Access-Control-Request-Method');
      const headers = origin ? { Origin: origin } : {};
      const post = await api(server, 'POST', TOKEN, { body: {}, headers });
      assert.equal(post.status, 422);
      assert.equal(acao(post), null, String(origin));
      assert.equal(post.headers.get('vary'), 'Origin', 'caches must key on Origin');
    }
  });

  test('a malformed list is refused at start', async () => {
    for (const bad of ['app.example.com', 'https://a.example/path', 'https://a.example,,x']) {
      await assert.rejects(startServer({ LATCHKEY_CORS_ORIGINS: bad }), /LATCHKEY_CORS_ORIGINS/,
        bad);
    }
  });
});
