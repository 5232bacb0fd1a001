// The HTTP layer shared by every surface: health, routing errors, body and
// header limits, request ids.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createTenant, createUser, login } from '../lib/fixtures.mjs';
import { api, rawRequest, startServer } from '../lib/server.mjs';

const TOKEN = '/api/v1/auth/token';

describe('server: HTTP basics', () => {
  let server;

  before(async () => {
    server = await startServer();
    createTenant(server, 'httpco', 'HTTP Co');
    createUser(server, 'h@example.com', { password: 'http-password', tenant: 'httpco' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('GET /healthz: 200 {"status":"ok"}', async () => {
    const res = await api(server, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
    assert.match(res.headers.get('content-type') || '', /application\/json/);
  });

  test('GET /readyz: 200 {"status":"ready","database":"ok"} while the database answers', async () => {
    const res = await api(server, 'GET', '/readyz');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { status: 'ready', database: 'ok' });
    assert.match(res.headers.get('content-type') || '', /application\/json/);
    const post = await api(server, 'POST', '/readyz');
    assert.equal(post.status, 405);
  });

  test('unknown route: 404 with the route in the message', async () => {
    const res = await api(server, 'GET', '/api/v1/nope');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { message: 'The route api/v1/nope could not be found.' });
  });

  test('wrong method: 405 naming the supported methods', async () => {
    const res = await api(server, 'GET', TOKEN);
    assert.equal(res.status, 405);
    assert.deepEqual(res.body, {
      message: 'The GET method is not supported for route api/v1/auth/token. Supported methods: POST.',
    });
    assert.match(res.headers.get('allow') || '', /POST/, 'Allow header');
  });

  test('malformed JSON, a top-level non-object or deep nesting: read as no input (422)', async () => {
    const deep = `{"email":${'['.repeat(40)}1${']'.repeat(40)},"password":"x","device_name":"d"}`;
    for (const body of ['{"email":', '{email: "a"}', 'nul', '{"a":1}}', '[1]', '"text"', '42', deep,
      `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`]) {
      const res = await api(server, 'POST', TOKEN, { body });
      assert.equal(res.status, 422, `${JSON.stringify(body).slice(0, 60)}: ${res.text}`);
      assert.deepEqual(res.body.errors.email, ['The email field is required.']);
    }
    // 8 deep is fine (validation answers about the credentials instead).
    const ok = `{"email":"h@example.com","password":"x","device_name":"d","extra":${'['.repeat(8)}${']'.repeat(8)}}`;
    const res3 = await api(server, 'POST', TOKEN, { body: ok });
    assert.equal(res3.status, 422, res3.text);
    assert.equal(res3.body.message, 'The provided credentials are incorrect.');
  });

  test('body over 64 KiB: 413; just under: handled normally', async () => {
    const big = JSON.stringify({ email: 'h@example.com', password: 'x'.repeat(70000), device_name: 'd' });
    const res = await rawRequest(server, `POST ${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(big)}\r\n` +
      `Connection: close\r\n\r\n${big}`);
    assert.equal(res.status, 413, res.raw.slice(0, 500));
    assert.deepEqual(res.json, { message: 'Payload Too Large.' });

    // Unknown fields are ignored (Laravel), so padding makes a large but valid body.
    const ok = JSON.stringify({ email: 'h@example.com', password: 'wrong-password', device_name: 'd',
      padding: 'y'.repeat(60000) });
    const res2 = await api(server, 'POST', TOKEN, { body: ok });
    assert.equal(res2.status, 422, 'a 60 KB body is read and the wrong password refused');
    assert.equal(res2.body.message, 'The provided credentials are incorrect.');
  });

  test('a 20 KiB header: 431', async () => {
    const res = await rawRequest(server, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `X-Big: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`);
    assert.equal(res.status, 431, res.raw.slice(0, 300));
    // The server is fine afterwards.
    assert.equal((await api(server, 'GET', '/healthz')).status, 200);
  });

  test('every response has a distinct X-Request-Id', async () => {
    const responses = [
      await api(server, 'GET', '/healthz'),
      await api(server, 'GET', '/healthz'),
      await api(server, 'GET', '/api/v1/nope'),
      await api(server, 'GET', TOKEN),
      await api(server, 'POST', TOKEN, { body: '{' }),
      await api(server, 'GET', '/api/v1/auth/user'),
      await login(server, 'h@example.com', 'wrong'),
      await login(server, 'h@example.com', 'http-password'),
    ];
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    ids.forEach((id, i) => assert.ok(id, `response ${i} (${responses[i].status}) has X-Request-Id`));
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  });

  test('concurrent requests are all answered', async () => {
    const all = await Promise.all(Array.from({ length: 50 }, () => api(server, 'GET', '/healthz')));
    assert.ok(all.every((r) => r.status === 200));
  });

  test('SIGTERM: clean exit with code 0', async () => {
    await server.stop();
  });
});
