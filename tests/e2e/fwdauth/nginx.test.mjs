// Issue 17, forward-auth with a real nginx: README's auth_request block
// (taken from README.md, with this run's ports) in front of a small Node
// service. A request reaches the service exactly when latchkey says 200,
// nginx answers latchkey's 401 or 403 otherwise, and the service sees
// latchkey's X-Auth-* headers, never a client's own. Skipped without nginx.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { cliToken, createTenant, createUser } from '../lib/fixtures.mjs';
import { addRule, AUTH_HEADERS } from '../lib/fwdauth.mjs';
import { nginxBin, readmeNginxBlock, startNginx } from '../lib/nginx.mjs';
import { api, startServer, waitFor } from '../lib/server.mjs';

// The service behind nginx: records each request it gets, answers 200.
function startUpstream() {
  const seen = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('upstream');
    });
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => resolve({ port: srv.address().port, seen,
      stop: () => new Promise((r) => srv.close(r)) }));
  });
}

function readmeConfig(port, latchkeyPort, upstreamPort) {
  let conf = readmeNginxBlock('auth_request');
  for (const [from, to] of [['server 127.0.0.1:8080;', `server 127.0.0.1:${latchkeyPort};`],
    ['server 127.0.0.1:3000;', `server 127.0.0.1:${upstreamPort};`],
    ['listen 80;', `listen 127.0.0.1:${port};`]]) {
    assert.ok(conf.includes(from), `README's auth_request block has ${from}`);
    conf = conf.replace(from, to);
  }
  return conf;
}

describe('fwdauth: nginx auth_request (README configuration) in front of a service', () => {
  if (!nginxBin()) {
    test('needs nginx', { skip: 'nginx not installed' }, () => {});
    return;
  }
  let server;
  let upstream;
  let nginx;
  let pat;
  let user;

  before(async () => {
    server = await startServer();
    upstream = await startUpstream();
    createTenant(server, 'acme', 'Acme', ['--product', 'autocom']);
    user = createUser(server, 'agent@acme.test', { tenant: 'acme', role: 'agent' });
    pat = cliToken(server, 'agent@acme.test', 'acme');
    addRule(server, { method: 'GET', pattern: '/orders/{id}', ability: 'orders.view' });
    addRule(server, { method: 'POST', pattern: '/orders', ability: 'orders.create' });
    addRule(server, { pattern: '/manage/*', role: 'owner' });
    addRule(server, { pattern: '/public/*', auth: 'none' });
    nginx = await startNginx((port) => readmeConfig(port, server.port, upstream.port),
      { healthPath: '/public/health' });
    assert.ok(await waitFor(async () => (await api(nginx, 'GET', '/orders/1')).status === 401));
  }, { timeout: 60000 });

  after(async () => {
    if (nginx) await nginx.stop();
    if (upstream) await upstream.stop();
    if (server) await server.stop();
  }, { timeout: 30000 });

  // One request through nginx; returns {status, upstream: the request the service got or null}.
  async function through(method, path, opts = {}) {
    const before = upstream.seen.length;
    const res = await api(nginx, method, path, opts);
    const got = upstream.seen.length > before ? upstream.seen[upstream.seen.length - 1] : null;
    return { status: res.status, text: res.text, upstream: got };
  }

  test('allowed: the service gets the request with latchkey\'s X-Auth-* headers', async () => {
    const r = await through('GET', '/orders/5?x=1', { token: pat });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'upstream');
    assert.equal(r.upstream.url, '/orders/5?x=1');
    const h = r.upstream.headers;
    assert.equal(h['x-auth-user-id'], String(user.id));
    assert.equal(h['x-auth-email'], 'agent@acme.test');
    assert.equal(h['x-auth-tenant'], 'acme');
    assert.equal(h['x-auth-role'], 'agent');
    assert.ok(h['x-auth-abilities'].split(',').includes('orders.view'));
  });

  test('a POST with its body: the service gets the body, latchkey the method', async () => {
    const r = await through('POST', '/orders', { token: pat, body: { item: 'x' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.upstream.method, 'POST');
    assert.deepEqual(JSON.parse(r.upstream.body), { item: 'x' });
  });

  test('refused: nginx answers latchkey\'s 401 or 403 and the service sees nothing', async () => {
    const cases = [
      ['GET', '/orders/5', {}, 401],
      ['GET', '/orders/5', { token: '1|wrong' }, 401],
      ['GET', '/manage/x', { token: pat }, 403],
      ['GET', '/nowhere', { token: pat }, 403],
      ['DELETE', '/orders/5', { token: pat }, 403],
    ];
    for (const [method, path, opts, status] of cases) {
      const r = await through(method, path, opts);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.upstream, null, `${method} ${path} reached the service`);
    }
  });

  test('dot segments in the raw URI do not make a protected path public', async () => {
    // fetch() would fold them itself; node:http sends the path as written.
    for (const raw of ['/public/../orders/5', '/public/%2e%2e/orders/5', '/public/..%2forders/5']) {
      const before = upstream.seen.length;
      const status = await new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: nginx.port, path: raw }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        }).on('error', reject);
      });
      assert.equal(status, 401, raw);
      assert.equal(upstream.seen.length, before, `${raw} reached the service`);
    }
  });

  test('a public path passes without a credential; a client\'s own X-Auth-* never gets through',
    async () => {
      const spoof = Object.fromEntries(AUTH_HEADERS.map((n) => [n, 'spoofed']));
      const r = await through('GET', '/public/page', { headers: spoof });
      assert.equal(r.status, 200, r.text);
      for (const n of AUTH_HEADERS) assert.equal(r.upstream.headers[n], undefined, n);
      const authed = await through('GET', '/orders/9', { token: pat, headers: spoof });
      assert.equal(authed.upstream.headers['x-auth-user-id'], String(user.id));
      assert.equal(authed.upstream.headers['x-auth-role'], 'agent');
    });

  test('a rule change is in force through nginx within a second', async () => {
    const r = addRule(server, { pattern: '/reports/*' });
    assert.ok(await waitFor(async () => (await through('GET', '/reports/q1', { token: pat }))
      .status === 200, { timeoutMs: 1000 }));
    server.cli('rule', 'disable', String(r.id));
    assert.ok(await waitFor(async () => (await through('GET', '/reports/q1', { token: pat }))
      .status === 403, { timeoutMs: 1000 }));
  });
});
