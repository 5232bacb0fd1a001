// Seed 003 (WNCMS): the posts API - the envelope, pagination, filters,
// validation (WNCMS's 422 body), slugs unique per site, update, delete,
// and sites that never see each other's posts.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, ISO_ANY_RE } from '../lib/server.mjs';
import { assertSuccess, createSite, startWncms, withToken } from '../lib/wncms.mjs';

describe('wncms: posts', () => {
  let server;
  let alpha;
  let beta;

  before(async () => {
    server = await startWncms();
    alpha = createSite(server, 'alpha');
    beta = createSite(server, 'beta');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  const store = (body, token = alpha.admin.token) =>
    withToken(server, 'POST', '/api/v1/posts/store', token, body);

  test('store: the post in the envelope, a slug made from the title', async () => {
    const data = assertSuccess(await store({ title: 'Hello, World!', content: '<p>Hi</p>',
      excerpt: 'Hi' }), 'Successfully created post');
    assert.deepEqual(Object.keys(data), ['id', 'title', 'slug', 'content', 'excerpt', 'status',
      'author', 'created_at', 'updated_at']);
    assert.equal(data.slug, 'hello-world');
    assert.equal(data.status, 'published');
    assert.deepEqual(data.author, { id: alpha.admin.id, name: 'admin of alpha' });
    assert.match(data.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z$/);
    assert.match(data.updated_at, ISO_ANY_RE);
    // The same title again: the next free slug; a given slug taken: 422.
    assert.equal(assertSuccess(await store({ title: 'Hello, World!' })).slug, 'hello-world-2');
    const taken = await store({ title: 'x', slug: 'hello-world' });
    assert.equal(taken.status, 422);
    assert.deepEqual(taken.body, { code: 422, status: 'fail', message: 'Validation failed',
      data: { errors: { slug: ['The slug has already been taken.'] } } });
    // Another site may use the same slug.
    assert.equal(assertSuccess(await store({ title: 'Hello, World!' }, beta.admin.token)).slug,
      'hello-world');
    // No letters or digits in the title: "post".
    assert.equal(assertSuccess(await store({ title: '¡¿!?' })).slug, 'post');
  });

  test('store: validation failures in WNCMS\'s shape', async () => {
    const r = await store({ content: 'no title' });
    assert.equal(r.status, 422);
    assert.equal(r.text, '{"code":422,"status":"fail","message":"Validation failed",' +
      '"data":{"errors":{"title":["The title field is required."]}}}');
    const many = await store({ title: 'x'.repeat(256), status: 'bogus', slug: 'a/b' });
    assert.equal(many.status, 422);
    assert.deepEqual(Object.keys(many.body.data.errors), ['title', 'slug', 'status']);
  });

  test('index: pagination, keyword and status, by POST body or GET query', async () => {
    for (let i = 1; i <= 5; i++) {
      assertSuccess(await store({ title: `Paged ${i}`, status: i % 2 ? 'published' : 'drafted',
        content: i === 3 ? 'a needle here' : 'hay' }));
    }
    const page = assertSuccess(await withToken(server, 'POST', '/api/v1/posts', alpha.admin.token,
      { page_size: 2, page: 2, keyword: 'Paged' }), 'Successfully fetched posts');
    assert.deepEqual(Object.keys(page), ['data', 'pagination']);
    assert.deepEqual(page.pagination, { total: 5, count: 2, page_size: 2, current_page: 2,
      last_page: 3, has_more: true });
    // Newest first.
    assert.deepEqual(page.data.map((p) => p.title), ['Paged 3', 'Paged 2']);
    const q = `/api/v1/posts?api_token=${encodeURIComponent(alpha.admin.token)}`;
    const drafted = assertSuccess(await api(server, 'GET', `${q}&status=drafted&keyword=paged`));
    assert.deepEqual(drafted.data.map((p) => p.title), ['Paged 4', 'Paged 2']);
    const needle = assertSuccess(await api(server, 'GET', `${q}&keyword=needle`));
    assert.deepEqual(needle.data.map((p) => p.title), ['Paged 3']);
    // LIKE's wildcards are plain characters.
    assert.equal(assertSuccess(await api(server, 'GET', `${q}&keyword=%25`)).pagination.total, 0);
    const empty = assertSuccess(await api(server, 'GET', `${q}&keyword=nothing-matches`));
    assert.deepEqual(empty.pagination, { total: 0, count: 0, page_size: 15, current_page: 1,
      last_page: 1, has_more: false });
    for (const bad of ['page_size=0', 'page_size=101', 'page=abc', 'status=bogus']) {
      const r = await api(server, 'GET', `${q}&${bad}`);
      assert.equal(r.status, 422, bad);
      assert.equal(r.body.message, 'Validation failed');
    }
  });

  test('show, update, delete by slug; 404 for another site\'s post', async () => {
    const post = assertSuccess(await store({ title: 'Editable', content: 'v1' }));
    const show = assertSuccess(await api(server, 'GET', `/api/v1/posts/${post.slug}`,
      { token: alpha.admin.token }), 'Successfully fetched post');
    assert.deepEqual(show, post);
    const up = assertSuccess(await withToken(server, 'POST', `/api/v1/posts/update/${post.slug}`,
      alpha.admin.token, { content: 'v2', status: 'drafted' }), 'Successfully updated post');
    assert.deepEqual([up.title, up.content, up.status, up.slug], ['Editable', 'v2', 'drafted',
      post.slug]);
    const renamed = assertSuccess(await withToken(server, 'POST',
      `/api/v1/posts/update/${post.slug}`, alpha.admin.token, { slug: 'renamed', title: 'New' }));
    assert.deepEqual([renamed.slug, renamed.title], ['renamed', 'New']);
    const blank = await withToken(server, 'POST', '/api/v1/posts/update/renamed',
      alpha.admin.token, { title: '' });
    assert.deepEqual(blank.body.data.errors, { title: ['The title field is required.'] });
    // beta cannot see or touch alpha's post.
    for (const p of ['/api/v1/posts/renamed', '/api/v1/posts/update/renamed',
      '/api/v1/posts/delete/renamed']) {
      const r = await withToken(server, 'POST', p, beta.admin.token, { title: 'x' });
      assert.equal(r.status, 404, p);
      assert.deepEqual(r.body, { code: 404, status: 'fail', message: 'Post not found' });
    }
    const del = await withToken(server, 'POST', '/api/v1/posts/delete/renamed', alpha.admin.token);
    assert.equal(assertSuccess(del, 'Successfully deleted post'), null);
    const gone = await withToken(server, 'POST', '/api/v1/posts/renamed', alpha.admin.token);
    assert.equal(gone.status, 404);
  });

  test('a wrong method or path stays in the surface\'s routes', async () => {
    const r = await withToken(server, 'DELETE', '/api/v1/posts/store', alpha.admin.token);
    assert.equal(r.status, 405);
  });
});
