// The linter (in the workbench build, at ?draft= with no domain): paste a policy and a TXT
// record, see the core's findings live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, ARTIFACTS, launch, watchErrors } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(width = 1280, height = 900) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  const errors = watchErrors(page);
  await page.goto(`${BASE_URL}/?draft=`, { waitUntil: 'load' });
  await page.locator('#policy-input').waitFor({ timeout: 20000 });
  return { page, errors };
}

const BAD_POLICY = 'version: STSv1\nmode: Enforce\nmx: mail.example.com\nmax_age: 86400\n';
const GOOD_POLICY = 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n';

test('a pasted policy with a bad mode shows the finding with its line and fix', async () => {
  const { page, errors } = await open();
  await page.locator('#policy-input').fill(BAD_POLICY);
  const result = page.locator('#policy-result');
  await assert.doesNotReject(result.waitFor());
  assert.equal(await result.getAttribute('data-valid'), 'false');
  const finding = page.locator('li[data-code="policy.mode.bad"]');
  assert.equal(await finding.count(), 1);
  const text = await finding.innerText();
  assert.match(text, /line 2, column 7/);
  assert.match(text, /case-sensitive/);
  assert.match(text, /Fix: Write "mode: enforce"/);
  assert.equal(await finding.locator('a.rfc').getAttribute('href'),
    'https://www.rfc-editor.org/rfc/rfc8461#section-3.2');
  await page.screenshot({ path: `${ARTIFACTS}linter-desktop.png`, fullPage: true });

  // Fixing the text updates the verdict as you type.
  await page.locator('#policy-input').fill(GOOD_POLICY);
  await page.waitForFunction(() => document.querySelector('#policy-result')?.dataset.valid === 'true');
  assert.equal(await page.locator('li[data-code="policy.mode.bad"]').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('policy text is shown as text, never interpreted as HTML', async () => {
  const { page, errors } = await open();
  await page.locator('#policy-input').fill('version: STSv1\nmode: <img src=x onerror=alert(1)>\nmax_age: 1\n');
  const finding = page.locator('li[data-code="policy.mode.bad"] .message');
  assert.match(await finding.innerText(), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('.results img').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the TXT record is checked beside the policy', async () => {
  const { page, errors } = await open(360, 800);
  await page.getByRole('button', { name: 'Try an example' }).click();
  await page.waitForFunction(() => document.querySelector('#policy-result')?.dataset.valid === 'true');
  assert.equal(await page.locator('#txt-result').getAttribute('data-status'), 'valid');
  await page.locator('#txt-input').fill('v=STSv1; id=2024-01-01');
  await page.waitForFunction(() => document.querySelector('#txt-result')?.dataset.status === 'invalid');
  assert.match(await page.locator('li[data-code="txt.id.bad"]').innerText(), /"-"/);
  await page.screenshot({ path: `${ARTIFACTS}linter-phone.png`, fullPage: true });
  // Nothing is wider than a 360 px phone screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a Unicode mx pattern gets its A-label form from the browser IDNA', async () => {
  const { page, errors } = await open();
  await page.locator('#policy-input').fill('version: STSv1\nmode: enforce\nmx: mx.bücher.example\nmax_age: 604800\n');
  const finding = page.locator('li[data-code="policy.mx.ulabel"]');
  await finding.waitFor();
  assert.match(await finding.innerText(), /mx\.xn--bcher-kva\.example/);
  assert.deepEqual(errors, []);
  await page.close();
});
