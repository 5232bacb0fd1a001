// RS256 against two other JOSE implementations, both ways: PyJWT (Debian's
// python3-jwt) and jose (Node). Tokens latchkey signs verify there (against
// the JWKS); tokens they sign with a key latchkey holds verify here; a
// tampered token or one with another alg fails on both sides.
//
// For "they sign", the test makes an RSA key pair itself, stores it in the
// database as the newest signing key (a clear PEM, as keys stored before
// encryption at rest were), and restarts the server: it encrypts the key
// (docs/security.md) and signs with it from then on.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { SignJWT, calculateJwkThumbprint, decodeJwt, importPKCS8 } from 'jose';

import {
  UNAUTHENTICATED, call, fetchJwks, kidOf, loginOk, registerOk, verifyWithJose,
} from '../lib/autocom.mjs';
import { dbQuery, startServer } from '../lib/server.mjs';

const ME = '/api/v1/auth/me';
const ISS = 'http://127.0.0.1:8080';

// Debian's interpreter has python3-jwt; a python3 earlier on PATH may not.
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const PYJWT = `
import json, sys, jwt
op = sys.argv[1]
if op == "verify":
    jwks, token, iss, aud = json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    kid = jwt.get_unverified_header(token)["kid"]
    key = [jwt.PyJWK(k).key for k in jwks["keys"] if k["kid"] == kid][0]
    print(json.dumps(jwt.decode(token, key, algorithms=["RS256"], audience=aud, issuer=iss)))
else:
    pem, kid, claims, alg = sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
    print(jwt.encode(claims, pem, algorithm=alg, headers={"kid": kid}))
`;

function pyjwt(...args) {
  const r = spawnSync(PYTHON, ['-c', PYJWT, ...args], { encoding: 'utf8', timeout: 20000 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr };
}

async function pyjwtVerifies(server, token) {
  const jwks = await fetchJwks(server);
  return pyjwt('verify', JSON.stringify(jwks), token, ISS, 'latchkey');
}

function tamper(token) {
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  const evil = Buffer.from(JSON.stringify({ ...claims, sub: '999' })).toString('base64url');
  return `${h}.${evil}.${s}`;
}

describe('autocom: RS256 interoperability with PyJWT and jose', () => {
  let server;
  let token;
  let pair; // the key pair the test made: {kid, pkcs1, pkcs8, jwk}

  before(async () => {
    const first = await startServer();
    await registerOk(first, 'my-store', 'john@mystore.com');
    token = (await loginOk(first, 'my-store', 'john@mystore.com')).token;
    await first.stop({ keep: true });

    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    pair = {
      kid: await calculateJwkThumbprint(jwk),
      pkcs1: privateKey.export({ type: 'pkcs1', format: 'pem' }),
      pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      jwk,
    };
    const now = Math.floor(Date.now() / 1000);
    const q = (s) => `'${s.replace(/'/g, "''")}'`;
    dbQuery(first.db, `UPDATE signing_keys SET retired_at = ${now}`);
    dbQuery(first.db, 'INSERT INTO signing_keys (kid, alg, private_pem, public_jwk, created_at)' +
      ` VALUES (${q(pair.kid)}, 'RS256', ${q(pair.pkcs1)},` +
      ` ${q(JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e }))}, ${now + 1})`);
    server = await startServer({}, { dir: first.dir });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('a token latchkey signed verifies in PyJWT and jose; tampered, it fails in both', async () => {
    const py = await pyjwtVerifies(server, token);
    assert.ok(py.ok, py.err);
    assert.deepEqual(JSON.parse(py.out), decodeJwt(token));
    await verifyWithJose(server, token);
    const bad = tamper(token);
    assert.equal((await pyjwtVerifies(server, bad)).ok, false, 'PyJWT refuses it tampered');
    await assert.rejects(verifyWithJose(server, bad), /signature/);
    assert.equal((await call(server, 'GET', ME, bad, { tenant: 'my-store' })).status, 401);
  });

  test('latchkey signs with the key the test made; PyJWT and jose verify it', async () => {
    const fresh = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    assert.equal(kidOf(fresh), pair.kid);
    const py = await pyjwtVerifies(server, fresh);
    assert.ok(py.ok, py.err);
    await verifyWithJose(server, fresh);
    // The kid is the RFC 7638 thumbprint, as jose computes it.
    const ours = (await fetchJwks(server)).keys.find((k) => k.kid === pair.kid);
    assert.equal(await calculateJwkThumbprint(ours), pair.kid);
  });

  test('tokens PyJWT and jose sign with that key verify in latchkey; tampered ones fail', async () => {
    const claims = decodeJwt((await loginOk(server, 'my-store', 'john@mystore.com')).token);
    const py = pyjwt('sign', pair.pkcs1, pair.kid, JSON.stringify(claims), 'RS256');
    assert.ok(py.ok, py.err);
    const joseToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: pair.kid })
      .sign(await importPKCS8(pair.pkcs8, 'RS256'));
    for (const [who, t] of [['PyJWT', py.out], ['jose', joseToken]]) {
      const ok = await call(server, 'GET', ME, t, { tenant: 'my-store' });
      assert.equal(ok.status, 200, `${who}: ${ok.text}`);
      const bad = await call(server, 'GET', ME, tamper(t), { tenant: 'my-store' });
      assert.equal(bad.status, 401, `${who} tampered`);
      assert.deepEqual(bad.body, UNAUTHENTICATED);
    }
    // The same claims under RS384 or PS256 with the same key: refused.
    for (const alg of ['RS384', 'PS256']) {
      const other = pyjwt('sign', pair.pkcs1, pair.kid, JSON.stringify(claims), alg);
      assert.ok(other.ok, other.err);
      assert.equal((await call(server, 'GET', ME, other.out, { tenant: 'my-store' })).status, 401,
        alg);
    }
  });
});
