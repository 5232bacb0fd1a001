// Forgot and reset password in Chromium, through a real SMTP server: the
// forgot page -> the email -> its link opens the reset page (the email
// filled in) -> a new password, errors next to the fields -> sign in with it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { browserSuite, makeAccount, openPage, screenshot, signIn, webStorage } from '../lib/web.mjs';
import { findLink } from '../lib/smtp.mjs';

describe('web: forgot and reset password', () => {
  let acct;
  const ctx = browserSuite({ smtp: true, setup: () => {
    acct = makeAccount(ctx.server, 'resets');
  } });

  test('forgot -> email -> reset page -> new password -> sign in', async () => {
    const email = acct.users.agent;
    const { context, page, problems } = await openPage(ctx.browser, ctx.server, { width: 375 });
    await page.goto(`${ctx.server.url}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${ctx.server.url}/forgot-password`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.getByText('We have emailed your password reset link.').waitFor();
    await screenshot(page, 'forgot-password-sent-375');

    const msg = await ctx.sink.waitForMessage({ to: email });
    const link = findLink(msg.text, '/reset-password/');
    assert.ok(link, msg.text);
    await page.goto(ctx.server.url + link.pathname + link.search);
    assert.equal(await page.getByLabel('Email').inputValue(), email);
    await page.getByLabel('New password', { exact: true }).fill('brand new pass 1');
    await page.getByLabel('Confirm the new password').fill('another pass 1');
    await page.getByRole('button', { name: 'Reset password' }).click();
    const err = page.locator('#password-error');
    await err.waitFor();
    assert.match(await err.textContent(), /confirmation does not match/);
    await page.getByLabel('New password', { exact: true }).fill('brand new pass 1');
    await page.getByLabel('Confirm the new password').fill('brand new pass 1');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByText('Your password has been reset.').waitFor();
    assert.deepEqual(await webStorage(page), { local: {}, session: {} });
    assert.deepEqual(problems(), []);

    await signIn(page, ctx.server, email, 'brand new pass 1');
    await context.close();
  });

  test('a used or made-up token shows the error next to the email field', async () => {
    const { context, page } = await openPage(ctx.browser, ctx.server);
    await page.goto(`${ctx.server.url}/reset-password/${'z'.repeat(64)}?email=${encodeURIComponent(acct.users.viewer)}`);
    await page.getByLabel('New password', { exact: true }).fill('brand new pass 2');
    await page.getByLabel('Confirm the new password').fill('brand new pass 2');
    await page.getByRole('button', { name: 'Reset password' }).click();
    const err = page.locator('#email-error');
    await err.waitFor();
    assert.equal(await err.textContent(), 'This password reset token is invalid.');
    await context.close();
  });
});
