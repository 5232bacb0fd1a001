// Issue 17: GET /.well-known/openid-configuration. Two independent JWT
// libraries verify an AutoCom JWT knowing nothing but the discovery URL:
// jose (createRemoteJWKSet on the discovered jwks_uri) and PyJWT
// (PyJWKClient, Debian's python3-jwt). The document's URLs come from
// LATCHKEY_PUBLIC_URL, never from the request's Host.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { createRemoteJWKSet, jwtVerify } from 'jose';

import { loginOk, registerOk } from '../lib/autocom.mjs';
import { api, rawRequest, startServer } from '../lib/server.mjs';

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// Reads only the discovery URL; prints the verified claims.
const PYJWT = `
import json, sys, urllib.request, jwt
meta = json.load(urllib.request.urlopen(sys.argv[1]))
token, aud = sys.argv[2], sys.argv[3]
assert "RS256" in meta["id_token_signing_alg_values_supported"]
key = jwt.PyJWKClient(meta["jwks_uri"]).get_signing_key_from_jwt(token)
print(json.dumps(jwt.decode(token, key.key, algorithms=meta["id_token_signing_alg_values_supported"],
                            audience=aud, issuer=meta["issuer"])))
`;

// Async, so the server keeps answering while Python waits for it.
function pyjwtVerify(discoveryUrl, token, audience) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', PYJWT, discoveryUrl, token, audience]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ok: code === 0, out: out.trim(), err }));
  });
}

// A reverse proxy in front of latchkey, as in production: the public URL
// is the proxy's. Listens before latchkey starts; target() names latchkey.
async function startProxy() {
  let upstream;
  const proxy = http.createServer((req, res) => {
    const out = http.request(`${upstream}${req.url}`, { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      });
    out.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(out);
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${proxy.address().port}`,
    target(url) { upstream = url; },
    close: () => new Promise((r) => { proxy.closeAllConnections?.(); proxy.close(r); }),
  };
}

// What a standard middleware does with only the discovery URL.
async function joseVerify(discoveryUrl, token, audience) {
  const meta = await (await fetch(discoveryUrl)).json();
  const jwks = createRemoteJWKSet(new URL(meta.jwks_uri));
  return jwtVerify(token, jwks, { issuer: meta.issuer, audience,
    algorithms: meta.id_token_signing_alg_values_supported });
}

describe('oauth: OpenID Connect discovery', () => {
  let server;
  let proxy;
  let base;
  let discoveryUrl;

  before(async () => {
    // The public URL is the proxy's, so the URLs latchkey publishes can be
    // followed; a trailing '/' configured is dropped.
    proxy = await startProxy();
    base = proxy.url;
    server = await startServer({ LATCHKEY_PUBLIC_URL: `${base}/` });
    proxy.target(server.url);
    discoveryUrl = `${base}/.well-known/openid-configuration`;
    await registerOk(server, 'my-store', 'john@mystore.com');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
    if (proxy) await proxy.close();
  }, { timeout: 30000 });

  test('the document: issuer, JWKS, endpoints, RS256, and no flow it does not run', async () => {
    const res = await api(server, 'GET', '/.well-known/openid-configuration');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
    assert.deepEqual(res.body, {
      issuer: base,
      jwks_uri: `${base}/.well-known/jwks.json`,
      introspection_endpoint: `${base}/oauth/introspect`,
      revocation_endpoint: `${base}/oauth/revoke`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic'],
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
      response_types_supported: [],
      grant_types_supported: [],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'tid', 'scopes'],
    });
    assert.equal(res.body.authorization_endpoint, undefined);
    assert.equal(res.body.token_endpoint, undefined);
    // The issuer is the JWTs' iss, exactly (the configured trailing '/' dropped).
    const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
    assert.equal(claims.iss, res.body.issuer);
    // A browser may fetch it (CORS, like the JWKS).
    const cors = await api(server, 'GET', '/.well-known/openid-configuration',
      { headers: { Origin: 'https://app.example.test' } });
    assert.ok(cors.headers.get('access-control-allow-origin'), 'CORS header');
  });

  test('a forged Host header changes nothing in the document', async () => {
    const raw = await rawRequest(server, 'GET /.well-known/openid-configuration HTTP/1.1\r\n' +
      'Host: evil.example\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n');
    assert.equal(raw.status, 200);
    assert.ok(!raw.body.includes('evil'), raw.body);
    assert.equal(JSON.parse(raw.body).issuer, base);
  });

  test('jose and PyJWT verify an AutoCom JWT from the discovery URL alone', async () => {
    const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
    const { payload } = await joseVerify(discoveryUrl, token, 'latchkey');
    assert.equal(payload.tid, 'my-store');
    const py = await pyjwtVerify(discoveryUrl, token, 'latchkey');
    assert.ok(py.ok, py.err);
    assert.deepEqual(JSON.parse(py.out), payload);
  });

  test('both refuse a tampered token, a foreign audience and another issuer', async () => {
    const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const evil = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '999' })).toString('base64url')}.${s}`;
    await assert.rejects(joseVerify(discoveryUrl, evil, 'latchkey'));
    assert.equal((await pyjwtVerify(discoveryUrl, evil, 'latchkey')).ok, false);
    await assert.rejects(joseVerify(discoveryUrl, token, 'someone-else'));
    assert.equal((await pyjwtVerify(discoveryUrl, token, 'someone-else')).ok, false);

    // Another latchkey (another key pair and issuer) is not this one.
    const other = await startServer({ LATCHKEY_PUBLIC_URL: 'https://other.example.test' });
    try {
      await registerOk(other, 'my-store', 'john@mystore.com');
      const { token: foreign } = await loginOk(other, 'my-store', 'john@mystore.com');
      await assert.rejects(joseVerify(discoveryUrl, foreign, 'latchkey'));
      assert.equal((await pyjwtVerify(discoveryUrl, foreign, 'latchkey')).ok, false);
    } finally {
      await other.stop();
    }
  });
});
