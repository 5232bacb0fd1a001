// RS256 access tokens seen from outside: GET /.well-known/jwks.json, offline
// verification with jose (an independent JOSE implementation), and hostile
// tokens made with jose that latchkey must refuse (alg none, HS256 keyed with
// the public key, a foreign key under our kid, an embedded jwk, tampering),
// wrong iss/aud (after a configuration change) and expiry.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  SignJWT, UnsecuredJWT, createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, importJWK,
  jwtVerify,
} from 'jose';

import {
  UNAUTHENTICATED, call, fetchJwks, kidOf, loginOk, registerOk, verifyWithJose,
} from '../lib/autocom.mjs';
import { api, sleep, startServer, withServer } from '../lib/server.mjs';

const ME = '/api/v1/auth/me';

async function refused(server, token, what) {
  const res = await call(server, 'GET', ME, token, { tenant: 'my-store' });
  assert.equal(res.status, 401, `${what}: ${res.text}`);
  assert.deepEqual(res.body, UNAUTHENTICATED, what);
}

describe('autocom: JWKS and offline verification', () => {
  let server;
  let token;
  let claims;

  before(async () => {
    server = await startServer({ LATCHKEY_PUBLIC_URL: 'https://auth.example.test' });
    await registerOk(server, 'my-store', 'john@mystore.com');
    token = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    claims = decodeJwt(token);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('GET /.well-known/jwks.json: kid, kty, alg, use, n, e; no private parts', async () => {
    const res = await api(server, 'GET', '/.well-known/jwks.json');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /application\/json/);
    assert.match(res.headers.get('cache-control') || '', /max-age=\d+/);
    assert.equal(res.body.keys.length, 1);
    const k = res.body.keys[0];
    assert.deepEqual(Object.keys(k), ['kid', 'kty', 'alg', 'use', 'n', 'e']);
    assert.equal(k.kty, 'RSA');
    assert.equal(k.alg, 'RS256');
    assert.equal(k.use, 'sig');
    assert.equal(k.e, 'AQAB');
    assert.equal(Buffer.from(k.n, 'base64url').length, 256, 'RSA 2048');
    assert.equal(k.kid, kidOf(token));
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[secret], undefined);
    // The key is a usable RS256 verification key for jose.
    await importJWK(k, 'RS256');
  });

  test('jose verifies the token against the JWKS: header and every claim', async () => {
    const { payload, protectedHeader } = await verifyWithJose(server, token);
    assert.deepEqual(protectedHeader, { typ: 'JWT', alg: 'RS256', kid: protectedHeader.kid });
    assert.equal(payload.iss, 'https://auth.example.test', 'iss is LATCHKEY_PUBLIC_URL');
    assert.equal(payload.aud, 'latchkey', 'aud defaults to latchkey');
    assert.match(payload.sub, /^[1-9][0-9]*$/);
    assert.equal(payload.tid, 'my-store');
    assert.match(payload.jti, /^[1-9][0-9]*$/);
    assert.equal(payload.nbf, payload.iat);
    assert.equal(payload.exp, payload.iat + 3600);
    assert.ok(Array.isArray(payload.scopes) && payload.scopes.includes('team.view'));
    // jose refuses it for another audience or issuer.
    await assert.rejects(verifyWithJose(server, token, { audience: 'someone-else' }));
    await assert.rejects(verifyWithJose(server, token, { issuer: 'https://evil.example' }));
  });

  test('alg none: refused', async () => {
    const unsigned = new UnsecuredJWT(claims).encode();
    await refused(server, unsigned, 'alg none');
    const [, payload] = token.split('.');
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'none', kid: kidOf(token) }))
      .toString('base64url');
    await refused(server, `${header}.${payload}.`, 'alg none with our kid');
  });

  test('HS256 keyed with the public key (PEM and JWK text): refused', async () => {
    const jwks = await fetchJwks(server);
    const pub = await importJWK(jwks.keys[0], 'RS256');
    const { createPublicKey } = await import('node:crypto');
    const pem = createPublicKey({ key: jwks.keys[0], format: 'jwk' })
      .export({ type: 'spki', format: 'pem' });
    const pkcs1 = createPublicKey({ key: jwks.keys[0], format: 'jwk' })
      .export({ type: 'pkcs1', format: 'pem' });
    assert.ok(pub);
    for (const secret of [pem, pkcs1, JSON.stringify(jwks.keys[0])]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ typ: 'JWT', alg: 'HS256', kid: kidOf(token) })
        .sign(new TextEncoder().encode(secret));
      await refused(server, forged, 'HS256 with the public key');
    }
  });

  test('a foreign RSA key under our kid, or an embedded jwk: refused', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const ours = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: kidOf(token) })
      .sign(privateKey);
    await refused(server, ours, 'foreign key, our kid');
    const embedded = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: kidOf(token), jwk })
      .sign(privateKey);
    await refused(server, embedded, 'embedded jwk');
    const unknown = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: 'attacker-key' })
      .sign(privateKey);
    await refused(server, unknown, 'unknown kid');
  });

  test('tampered, truncated and oversized tokens: refused', async () => {
    const [h, p, s] = token.split('.');
    const evil = Buffer.from(JSON.stringify({ ...claims, tid: 'other-store', sub: '1' }))
      .toString('base64url');
    await refused(server, `${h}.${evil}.${s}`, 'tampered payload');
    await refused(server, `${h}.${p}.${s.slice(0, -2)}`, 'truncated signature');
    await refused(server, `${h}.${p}`, 'no signature');
    await refused(server, `${token}x`, 'extra character');
    await refused(server, `${h}.${p}.${'A'.repeat(9000)}`, 'huge');
    const ok = await call(server, 'GET', ME, token, { tenant: 'my-store' });
    assert.equal(ok.status, 200, 'the real token still works');
  });

  test('a header over the server\'s limit is refused without a crash', async () => {
    const res = await call(server, 'GET', ME, `${token}.${'A'.repeat(20000)}`);
    assert.ok([401, 431].includes(res.status), `status ${res.status}`);
    assert.equal((await call(server, 'GET', ME, token)).status, 200);
  });
});

describe('autocom: iss and aud follow the configuration', () => {
  test('a token is refused once LATCHKEY_JWT_AUDIENCE or LATCHKEY_PUBLIC_URL changes', async () => {
    const env = { LATCHKEY_JWT_AUDIENCE: 'shop-api', LATCHKEY_PUBLIC_URL: 'https://one.example' };
    await withServer(env, async (server) => {
      const dir = server.dir;
      await registerOk(server, 'my-store', 'john@mystore.com');
      const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
      const { payload } = await verifyWithJose(server, token,
        { audience: 'shop-api', issuer: 'https://one.example' });
      assert.equal(payload.aud, 'shop-api');
      assert.equal((await call(server, 'GET', ME, token)).status, 200);
      await server.stop({ keep: true });

      await withServer({ ...env, LATCHKEY_JWT_AUDIENCE: 'other-api' }, { dir },
        (again) => refused(again, token, 'wrong aud'));

      await withServer({ ...env, LATCHKEY_PUBLIC_URL: 'https://two.example' }, { dir },
        (again) => refused(again, token, 'wrong iss'));

      await withServer(env, { dir }, async (again) => {
        assert.equal((await call(again, 'GET', ME, token)).status, 200,
          'same keys (from the database) and claims: valid again');
      });
    });
  });
});

describe('autocom: expiry (LATCHKEY_JWT_TTL=2)', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_JWT_TTL: '2' });
    await registerOk(server, 'my-store', 'john@mystore.com');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('exp = iat + 2; refused after it, by latchkey and by jose', async () => {
    const { token } = await loginOk(server, 'my-store', 'john@mystore.com');
    const claims = decodeJwt(token);
    assert.equal(claims.exp - claims.iat, 2);
    assert.equal((await call(server, 'GET', ME, token)).status, 200);
    const jwks = await fetchJwks(server);
    await sleep(Math.max(0, claims.exp * 1000 - Date.now()) + 1100);
    await refused(server, token, 'expired');
    await assert.rejects(jwtVerify(token, createLocalJWKSet(jwks),
      { issuer: 'http://127.0.0.1:8080', audience: 'latchkey' }), /exp/);
  });
});
