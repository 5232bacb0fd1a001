// Seed 004: without X-Tenant, the tenant comes from the request's Host when
// it is a tenant's domain (lower-cased, without port or trailing dot, exact:
// no "www." folding); X-Forwarded-Host counts only from a trusted proxy. A
// Host naming a tenant is held to X-Tenant's rules: at login a user who is
// not a member gets 403 after a correct password, and a token of another
// tenant is refused with 403.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import {
  BAD_CREDENTIALS, cliToken, createTenant, createUser, NOT_MEMBER,
} from '../lib/fixtures.mjs';
import { cliJson, sleep, startServer } from '../lib/server.mjs';

const PASSWORD = 'host password 1';

// One request with a chosen Host (fetch does not let one set it).
function send(server, method, path, { host, headers = {}, body, token, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (host !== undefined) h.Host = host;
    if (token !== undefined) h.Authorization = `Bearer ${token}`;
    const payload = body !== undefined ? JSON.stringify(body) : undefined;
    if (payload !== undefined) {
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers: h,
      localAddress, agent: false, timeout: 10000, setHost: host === undefined }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, body: json, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

const login = (server, email, opts = {}, password = PASSWORD) => send(server, 'POST',
  '/api/v1/auth/token', { ...opts, body: { email, password, device_name: 'host test' } });

describe('travel: the tenant of the request\'s Host', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' });
    createTenant(server, 'acme', 'Acme Travel');
    createTenant(server, 'safeway', 'Safeway Travel', ['--domain', 'www.safewaytravel.net']);
    createTenant(server, 'globex', 'Globex', ['--domain', 'Travel.Globex.Example']);
    // John's first membership is acme (the default without a Host match).
    createUser(server, 'john@example.com', { password: PASSWORD, tenant: 'acme' });
    cliJson(server.cli, 'member', 'add', '--user', 'john@example.com', '--tenant', 'safeway',
      '--role', 'agent');
    cliJson(server.cli, 'member', 'add', '--user', 'john@example.com', '--tenant', 'globex',
      '--role', 'agent');
    createUser(server, 'dana@example.com', { password: PASSWORD, tenant: 'acme' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('login: the Host picks the tenant; port, case and a trailing dot do not matter', async () => {
    for (const host of ['www.safewaytravel.net', 'www.safewaytravel.net:8443',
      'WWW.SafewayTravel.NET', 'www.safewaytravel.net.']) {
      const res = await login(server, 'john@example.com', { host });
      assert.equal(res.status, 200, `${host}: ${res.text}`);
      assert.equal(res.body.user.tenant.slug, 'safeway', host);
    }
    const globex = await login(server, 'john@example.com', { host: 'travel.globex.example' });
    assert.equal(globex.body.user.tenant.slug, 'globex', 'a domain stored in mixed case');
  });

  test('login: a Host that is no tenant\'s domain leaves the default membership', async () => {
    for (const host of [`127.0.0.1:${server.port}`, 'safewaytravel.net', 'api.example.com',
      'www.safewaytravel.net.evil.example', '[::1]:8080']) {
      const res = await login(server, 'john@example.com', { host });
      assert.equal(res.status, 200, `${host}: ${res.text}`);
      assert.equal(res.body.user.tenant.slug, 'acme', host);
    }
  });

  test('login: X-Tenant wins over the Host', async () => {
    const res = await login(server, 'john@example.com',
      { host: 'www.safewaytravel.net', headers: { 'X-Tenant': 'globex' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user.tenant.slug, 'globex');
  });

  test('login at a tenant\'s Host by a non-member: 403 after the password, 422 before', async () => {
    const res = await login(server, 'dana@example.com', { host: 'www.safewaytravel.net' });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, NOT_MEMBER);
    const wrong = await login(server, 'dana@example.com', { host: 'www.safewaytravel.net' }, 'nope');
    assert.equal(wrong.status, 422, wrong.text);
    assert.deepEqual(wrong.body, BAD_CREDENTIALS);
  });

  test('bearer: a token works at its tenant\'s Host, not at another tenant\'s', async () => {
    const acme = cliToken(server, 'john@example.com', 'acme');
    const safeway = cliToken(server, 'john@example.com', 'safeway');
    const at = (token, host) => send(server, 'GET', '/api/v1/auth/user', { token, host });
    const own = await at(safeway, 'www.safewaytravel.net:443');
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.tenant.slug, 'safeway');
    const other = await at(acme, 'www.safewaytravel.net');
    assert.equal(other.status, 403, other.text);
    assert.deepEqual(other.body, NOT_MEMBER);
    const anyHost = await at(acme, 'api.example.com');
    assert.equal(anyHost.status, 200, anyHost.text);
    assert.equal(anyHost.body.tenant.slug, 'acme');
    const revoke = await send(server, 'POST', '/api/v1/auth/revoke',
      { token: acme, host: 'travel.globex.example' });
    assert.equal(revoke.status, 403, revoke.text);
  });

  test('X-Forwarded-Host counts from a trusted proxy only', async () => {
    const fwd = { 'X-Forwarded-Host': 'www.safewaytravel.net, proxy.internal' };
    const trusted = await login(server, 'john@example.com',
      { host: 'backend.internal', headers: fwd, localAddress: '127.0.0.1' });
    assert.equal(trusted.status, 200, trusted.text);
    assert.equal(trusted.body.user.tenant.slug, 'safeway');
    const untrusted = await login(server, 'john@example.com',
      { host: 'backend.internal', headers: fwd, localAddress: '127.0.0.2' });
    assert.equal(untrusted.status, 200, untrusted.text);
    assert.equal(untrusted.body.user.tenant.slug, 'acme');
  });

  test('a tenant created later is found by its domain within a second', async () => {
    const before = await login(server, 'john@example.com', { host: 'new.example' });
    assert.equal(before.body.user.tenant.slug, 'acme');
    createTenant(server, 'newco', 'New Co', ['--domain', 'new.example']);
    cliJson(server.cli, 'member', 'add', '--user', 'john@example.com', '--tenant', 'newco',
      '--role', 'agent');
    let slug;
    for (let i = 0; i < 15 && slug !== 'newco'; i++) {
      if (i > 0) await sleep(100);
      slug = (await login(server, 'john@example.com', { host: 'new.example' })).body.user.tenant.slug;
    }
    assert.equal(slug, 'newco');
  });
});
