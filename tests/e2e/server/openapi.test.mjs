// The OpenAPI 3.1 document (GET /openapi.json, `latchkey openapi`): valid
// OpenAPI 3.1, every route of `latchkey routes --json` in it with schemas,
// its security and extensions taken from the route table, and the
// response checker of lib/openapi.mjs (which every e2e test runs through)
// refusing what the document does not say. The rendered view /docs/api.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';

import { checkResponse, openapiDocument } from '../lib/openapi.mjs';
import { api, cliJson, runCli, startServer } from '../lib/server.mjs';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH']);

describe('OpenAPI document', () => {
  let server;
  let doc;
  let routes;
  before(async () => {
    server = await startServer();
    const r = runCli({}, 'openapi');
    assert.equal(r.status, 0, r.stderr);
    doc = JSON.parse(r.stdout);
    routes = cliJson((...a) => runCli({}, ...a), 'routes');
  });
  after(() => server?.stop());

  test('GET /openapi.json serves the bytes `latchkey openapi` prints', async () => {
    const res = await api(server, 'GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(res.text, runCli({}, 'openapi').stdout.trimEnd());
    assert.deepEqual(res.body, doc);
  });

  test('is a valid OpenAPI 3.1 document', async () => {
    const v = new Validator();
    const r = await v.validate(doc);
    assert.deepEqual(r, { valid: true }, JSON.stringify(r.errors, null, 2));
    assert.equal(v.version, '3.1');
    assert.equal(doc.openapi, '3.1.0');
  });

  test('every route has an operation with schemas, its success response and its body', () => {
    const missing = [];
    for (const rt of routes) {
      const op = doc.paths[rt.path]?.[rt.method.toLowerCase()];
      const name = `${rt.surface} ${rt.method} ${rt.path}`;
      if (!op) { missing.push(`${name}: no operation`); continue; }
      if (op['x-latchkey-undocumented']) { missing.push(`${name}: no entry in src/surfaces/schemas/${rt.surface}.json`); continue; }
      if (!op.tags.includes(rt.surface)) missing.push(`${name}: not tagged ${rt.surface}`);
      if (!Object.keys(op.responses ?? {}).some((s) => /^[23]/.test(s))) missing.push(`${name}: no success response`);
      if (UNSAFE.has(rt.method) && !op.requestBody && !op['x-latchkey-no-body']) {
        missing.push(`${name}: no request body schema (or "request": null)`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('auth, permission and rate bucket come from the route table', () => {
    for (const rt of routes) {
      const op = doc.paths[rt.path][rt.method.toLowerCase()];
      if (op.tags[0] !== rt.surface) continue; // a page merged into an API route's operation
      assert.equal(op['x-latchkey-auth'], rt.auth, rt.path);
      assert.equal(op['x-latchkey-permission'], rt.permission, rt.path);
      assert.equal(op['x-latchkey-rate-limit'], rt.bucket, rt.path);
      if (rt.permission) assert.ok(op.description.includes(rt.permission), rt.path);
      const params = [...rt.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const p of params) {
        assert.ok(op.parameters.some((x) => x.in === 'path' && x.name === p && x.required), `${rt.path} {${p}}`);
      }
      const schemes = op.security.flatMap((r) => Object.keys(r));
      for (const s of schemes) assert.ok(doc.components.securitySchemes[s], s);
      if (rt.auth === 'public') assert.deepEqual(op.security, [], rt.path);
      if (rt.auth === 'bearer_pat') assert.deepEqual(op.security, [{ pat: [] }], rt.path);
      if (rt.auth === 'bearer_jwt_tenant') {
        assert.ok(op.parameters.some((x) => x.in === 'header' && x.name === 'X-Tenant' && x.required), rt.path);
      }
      if (rt.auth === 'session') assert.deepEqual(op.security, [{ session: [], xsrf: [] }], rt.path);
    }
    const tags = doc.tags.map((t) => t.name);
    for (const rt of routes) assert.ok(tags.includes(rt.surface), rt.surface);
  });

  test('every $ref names a component schema that exists', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length > 0);
    for (const r of new Set(refs)) assert.ok(doc.components.schemas[r], r);
  });
});

describe('the response checker every e2e test runs', () => {
  const url = 'http://127.0.0.1:1';
  test('a body that matches passes; a changed field, a missing one or an extra one fails', () => {
    assert.ok(openapiDocument());
    const ok = { method: 'GET', url: `${url}/healthz`, status: 200, contentType: 'application/json', text: '{"status":"ok"}' };
    assert.equal(checkResponse(ok), null);
    assert.match(checkResponse({ ...ok, text: '{"status":1}' }), /GET \/healthz .* 200: .*\/status must be string/);
    assert.match(checkResponse({ ...ok, text: '{}' }), /must have required property 'status'/);
    assert.match(checkResponse({ ...ok, text: '{"status":"ok","extra":true}' }), /additional properties \(extra\)/);
  });

  test('a status or a media type the operation does not list fails', () => {
    const base = { method: 'GET', url: `${url}/healthz`, contentType: 'application/json', text: '{}' };
    assert.match(checkResponse({ ...base, status: 418 }), /status 418 is not documented/);
    assert.match(checkResponse({ ...base, status: 200, contentType: 'text/plain', text: 'ok' }),
      /a text\/plain body is not documented/);
  });

  test('a path of no route and a preflight are not checked', () => {
    assert.equal(checkResponse({ method: 'GET', url: `${url}/no/such/route`, status: 404, contentType: 'application/json', text: '{}' }), null);
    assert.equal(checkResponse({ method: 'OPTIONS', url: `${url}/healthz`, status: 204, contentType: null, text: '' }), null);
  });

  test('the error dialect of each surface is checked: WNCMS and the admin API differ', () => {
    const wncms = { method: 'POST', url: `${url}/api/v1/posts`, status: 401, contentType: 'application/json' };
    const admin = { method: 'GET', url: `${url}/admin/auth/me`, status: 401, contentType: 'application/json' };
    assert.equal(checkResponse({ ...wncms, text: '{"status":"fail","message":"Invalid token"}' }), null);
    assert.notEqual(checkResponse({ ...admin, text: '{"status":"fail","message":"Invalid token"}' }), null);
  });
});

describe('/docs/api', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => server?.stop());

  test('is an embedded page that loads its renderer from this origin only', async () => {
    const res = await api(server, 'GET', '/docs/api', { headers: { Accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.text, /href="\/openapi\.json"/);
    const js = /src="(\/assets\/api-docs\.[0-9a-f]{8}\.js)"/.exec(res.text);
    assert.ok(js, 'the renderer module, content-hashed');
    assert.doesNotMatch(res.text, /https?:\/\//, 'nothing from another origin');
    const mod = await api(server, 'GET', js[1]);
    assert.equal(mod.status, 200);
    assert.match(mod.text, /fetch\('\/openapi\.json'\)/);
    assert.doesNotMatch(mod.text, /https?:\/\//);
  });
});
