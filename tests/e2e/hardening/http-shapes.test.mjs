// Request smuggling shapes (RFC 9112 section 6.3) and the small HTTP items
// of issue 16: each is refused in JSON with Connection: close, at once.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import { exchange } from './lib.mjs';

const TOKEN = '/api/v1/auth/token';
const BODY = '{"email":"a@example.com","password":"x","device_name":"d"}';

describe('hardening: request framing and small HTTP items', () => {
  let server;

  before(async () => {
    server = await startServer();
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  // Sends head (without the final blank line) + body and expects status
  // with a JSON message, Connection: close and the connection closed well
  // before the server's 30 s idle timeout.
  async function refused(head, body, status, message) {
    const r = await exchange(server.port, `${head}\r\n\r\n${body}`, { timeoutMs: 5000 });
    assert.equal(r.status, status, r.raw.slice(0, 400));
    assert.deepEqual(r.json, { message });
    assert.match(r.headers['content-type'] || '', /application\/json/);
    assert.equal((r.headers.connection || '').toLowerCase(), 'close');
    assert.ok(r.closed, `connection left open: ${r.raw.slice(0, 200)}`);
    assert.ok(r.ms < 2000, `closed after ${r.ms} ms`);
  }

  test('two different Content-Length values: 400 and close', async () => {
    await refused(`POST ${TOKEN} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${BODY.length}\r\nContent-Length: 5`, BODY, 400, 'Bad Request.');
  });

  test('the same Content-Length twice is one Content-Length', async () => {
    const r = await exchange(server.port, `POST ${TOKEN} HTTP/1.1\r\nHost: a\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${BODY.length}\r\n` +
      `Content-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`);
    assert.equal(r.status, 422, r.raw.slice(0, 400));
  });

  test('Content-Length with Transfer-Encoding: 400 and close', async () => {
    const chunked = `${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`;
    await refused(`POST ${TOKEN} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${chunked.length}\r\nTransfer-Encoding: chunked`, chunked, 400, 'Bad Request.');
  });

  test('a transfer coding other than chunked alone: 501 and close at once', async () => {
    for (const te of ['gzip, chunked', 'gzip', 'chunked, chunked', 'identity']) {
      await refused(`POST ${TOKEN} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: ${te}`, '', 501, 'Not Implemented.');
    }
    // Split over two header lines, as one list.
    await refused(`POST ${TOKEN} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n` +
      'Transfer-Encoding: chunked', '', 501, 'Not Implemented.');
  });

  test('Transfer-Encoding: chunked alone is still read', async () => {
    const chunked = `${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`;
    const r = await exchange(server.port, `POST ${TOKEN} HTTP/1.1\r\nHost: a\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n' +
      chunked);
    assert.equal(r.status, 422, r.raw.slice(0, 400));
  });

  test('HTTP/1.1 without Host, or with two: 400 and close', async () => {
    await refused('GET /healthz HTTP/1.1', '', 400, 'Bad Request.');
    await refused('GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b', '', 400, 'Bad Request.');
    // HTTP/1.0 needs no Host.
    const r = await exchange(server.port, 'GET /healthz HTTP/1.0\r\n\r\n');
    assert.equal(r.status, 200, r.raw.slice(0, 400));
  });

  test('%00 in the path: 400 (it used to cut the path)', async () => {
    await refused('GET /healthz%00 HTTP/1.1\r\nHost: a', '', 400, 'Bad Request.');
    await refused('GET /admin/users/1%00 HTTP/1.1\r\nHost: a', '', 400, 'Bad Request.');
    // %00 in the query string is the route's business, as before.
    const r = await exchange(server.port, 'GET /healthz?a=%00 HTTP/1.1\r\nHost: a\r\n' +
      'Connection: close\r\n\r\n');
    assert.equal(r.status, 200, r.raw.slice(0, 400));
  });

  test('invalid UTF-8 in the path: the surface\'s JSON 404, not an empty one', async () => {
    const r = await exchange(server.port, 'GET /api/v1/caf%E9/%FF%FE HTTP/1.1\r\nHost: a\r\n' +
      'Connection: close\r\n\r\n');
    assert.equal(r.status, 404, r.raw.slice(0, 400));
    assert.deepEqual(JSON.parse(Buffer.from(r.body, 'latin1').toString('utf8')),
      { message: 'The route api/v1/caf\uFFFD/\uFFFD\uFFFD could not be found.' });
    // Valid UTF-8 is kept as it is.
    const ok = await exchange(server.port, 'GET /api/v1/caf%C3%A9 HTTP/1.1\r\nHost: a\r\n' +
      'Connection: close\r\n\r\n');
    assert.equal(ok.status, 404);
    assert.deepEqual(JSON.parse(Buffer.from(ok.body, 'latin1').toString('utf8')),
      { message: 'The route api/v1/caf\u00e9 could not be found.' });
  });

  test('X-Content-Type-Options: nosniff on JSON answers, errors included', async () => {
    for (const head of ['GET /healthz HTTP/1.1', 'GET /api/v1/nope HTTP/1.1',
      `GET ${TOKEN} HTTP/1.1`, 'GET /admin/users HTTP/1.1']) {
      const r = await exchange(server.port, `${head}\r\nHost: a\r\nConnection: close\r\n\r\n`);
      assert.match(r.headers['content-type'] || '', /application\/json/, head);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', head);
    }
  });
});
