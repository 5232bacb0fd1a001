// X-Request-Id: a well-formed incoming id (1-128 of [A-Za-z0-9._:-]) is the
// request's id in the access log and comes back in the response; otherwise
// the server's own id does. Every response carries one, also the errors
// produced before routing (404, 405, 413, 431).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, rawRequest, startServer, waitForLog } from '../lib/server.mjs';

const TOKEN = '/api/v1/auth/token';
const OURS = /^r[0-9a-f]+$/;

describe('server: X-Request-Id', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_LOG_FLUSH_MS: '0' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('a well-formed id is echoed and used in the access log', async () => {
    const id = '7f3a9c1e-5b2d-4e8f-9a6b-0c1d2e3f4a5b';
    const res = await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': id } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), id);
    const lines = await waitForLog(server, `req=${id} method=GET path=/healthz status=200 `);
    assert.equal(lines.length, 1, server.stderr().slice(-2000));
  });

  test('every kind of response echoes it, errors before routing included', async () => {
    const cases = [
      ['GET', '/api/v1/nope', undefined, 404],
      ['GET', TOKEN, undefined, 405],
      ['POST', TOKEN, '{"email":', 422],
      ['GET', '/api/v1/auth/user', undefined, 401],
    ];
    for (const [i, [method, path, body, status]] of cases.entries()) {
      const id = `edge-lb:0042.${i}_x`;
      const res = await api(server, method, path, { body, headers: { 'X-Request-Id': id } });
      assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
      assert.equal(res.headers.get('x-request-id'), id, `${method} ${path}`);
    }
    // 413 refused from the declared length, and 431 for oversized headers.
    const big = await rawRequest(server, `POST ${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      'X-Request-Id: big-413\r\nContent-Type: application/json\r\n' +
      'Content-Length: 99999999\r\nConnection: close\r\n\r\n');
    assert.equal(big.status, 413, big.raw.slice(0, 300));
    assert.equal(big.headers['x-request-id'], 'big-413');
    const fat = await rawRequest(server, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `X-Request-Id: fat-431\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`);
    assert.equal(fat.status, 431, fat.raw.slice(0, 300));
    assert.equal(fat.headers['x-request-id'], 'fat-431');
  });

  test('a malformed or over-long id is replaced by the server\'s own', async () => {
    const bad = ['has space', 'quote"d', 'a=b', 'é', 'x'.repeat(129), ''];
    for (const id of bad) {
      const res = await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': id } });
      const got = res.headers.get('x-request-id');
      assert.match(got, OURS, `${JSON.stringify(id)} -> ${got}`);
    }
    const longest = 'y'.repeat(128);
    const res = await api(server, 'GET', '/healthz', { headers: { 'X-Request-Id': longest } });
    assert.equal(res.headers.get('x-request-id'), longest);
  });

  test('without one, each response gets a distinct id of the server', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await api(server, 'GET', '/healthz')).headers.get('x-request-id'));
    for (const id of ids) assert.match(id, OURS);
    assert.equal(new Set(ids).size, ids.length);
  });
});
