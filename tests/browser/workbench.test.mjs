// The draft workbench: a second build of the page, loaded for ?draft= links, that judges a
// policy as you type against the live MX of the test world, proposes records, and makes
// the files and the link to publish or share.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE_URL, ARTIFACTS, launch, watchErrors } from './lib.mjs';

const DOH = process.env.MTASTS_DOH;
let browser;
before(async () => {
  browser = await launch({ ignoreHTTPSErrors: true, acceptDownloads: true }, { resolver: DOH });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
});
after(async () => { await browser?.close(); });

const check = (domain) => `${BASE_URL}/?domain=${encodeURIComponent(domain)}`;

async function open(url) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const errors = watchErrors(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
  return { page, errors, requests };
}

const draftResult = (page) => page.evaluate(() => {
  const r = document.querySelector('#draft-result');
  return r && { verdict: r.dataset.verdict, mustChange: r.dataset.txtIdMustChange };
});

test('a draft that names the missing MX passes as you type, without a request', async () => {
  const { page, errors, requests } = await open(check('mx-mismatch.test'));
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  assert.ok(!requests.some((u) => u.includes('/workbench-')), 'the first page does not load the workbench');
  assert.equal(await page.locator('#open-linter').getAttribute('href'), '/?draft=');
  await page.locator('#open-workbench').click();
  await page.locator('html[data-app-ready="true"]').waitFor({ timeout: 20000 });
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  assert.ok(requests.some((u) => u.includes('/workbench-') && u.endsWith('_bg.wasm')), 'the workbench build loads');
  assert.match(new URL(page.url()).search, /[?&]draft=(&|$)/);
  const editor = page.locator('#draft-policy');
  await page.waitForFunction(() => document.querySelector('#draft-policy')?.value.includes('mx1.mx-mismatch.test'));
  // The published policy as the draft: the same verdict, and no new id needed.
  await page.waitForFunction(() => document.querySelector('#draft-result')?.dataset.verdict === 'fail');
  assert.deepEqual(await draftResult(page), { verdict: 'fail', mustChange: 'false' });

  const before = requests.length;
  const published = await editor.inputValue();
  await editor.fill(published.replace('mx: mx1.mx-mismatch.test\n', 'mx: mx1.mx-mismatch.test\nmx: mx2.mx-mismatch.test\n'));
  await page.waitForFunction(() => document.querySelector('#draft-result')?.dataset.verdict === 'pass');
  assert.deepEqual(await draftResult(page), { verdict: 'pass', mustChange: 'true' });
  assert.match(await page.locator('.draft-diff').innerText(), /\+ mx: mx2\.mx-mismatch\.test/);
  assert.match(await page.locator('.draft-effects').innerText(), /mx2\.mx-mismatch\.test will be delivered over verified TLS/);
  const rollout = await page.locator('ol.rollout li').allInnerTexts();
  assert.match(rollout[0], /^Serve the new policy/);
  assert.ok(rollout.some((s) => /publish the TXT record with its new id/.test(s)), rollout.join('\n'));
  assert.equal(requests.length, before, 'judging a draft sends nothing');
  // The record to publish carries a fresh id, since the policy changed.
  assert.match(await page.locator('#zone-records').innerText(), /^_mta-sts\.mx-mismatch\.test\. 3600 IN TXT "v=STSv1; id=\d{8}T\d{6}"$/m);
  // The report below is still the published one.
  assert.equal(await page.locator('#report').getAttribute('data-verdict'), 'fail');
  await page.screenshot({ path: `${ARTIFACTS}workbench-desktop.png`, fullPage: true });

  // A draft that refuses every MX says so for each.
  await editor.fill('version: STSv1\nmode: enforce\nmx: mail.elsewhere.test\nmax_age: 604800\n');
  await page.waitForFunction(() => document.querySelector('#draft-result')?.dataset.verdict === 'fail');
  const effects = await page.locator('.draft-effects').innerText();
  assert.match(effects, /mx1\.mx-mismatch\.test will be refused by enforcing senders/);
  assert.ok(await page.locator('#workbench li[data-code="mx.pattern.no_match"]').count() > 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('generate proposes enforce over healthy MX, and the files and link carry the draft', async () => {
  const { page, errors } = await open(`${check('good.test')}&draft=`);
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  await page.locator('#generate:not([disabled])').click();
  await page.waitForFunction(() => document.querySelector('#draft-policy')?.value.includes('mode: enforce'));
  const policy = await page.locator('#draft-policy').inputValue();
  assert.equal(policy, 'version: STSv1\nmode: enforce\nmx: *.good.test\nmax_age: 604800\n');
  assert.match(await page.locator('#draft-txt').inputValue(), /^v=STSv1; id=\d{8}T\d{6}$/);
  await page.waitForFunction(() => document.querySelector('#draft-result')?.dataset.verdict === 'pass');
  assert.match(await page.locator('#proposal').innerText(), /mode enforce: every MX/);
  // The reporting address the page asks for goes into the record.
  await page.locator('#rua-input').fill('tls-reports@good.test');
  await page.waitForFunction(() => document.querySelector('#zone-records')?.textContent.includes('rua=mailto:tls-reports@good.test'));
  const zone = await page.locator('#zone-records').innerText();
  assert.match(zone, /^_mta-sts\.good\.test\. 3600 IN TXT "v=STSv1; id=\d{8}T\d{6}"$/m);
  assert.match(zone, /^_smtp\._tls\.good\.test\. 3600 IN TXT "v=TLSRPTv1; rua=mailto:tls-reports@good\.test"$/m);

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-policy').click()]);
  assert.equal(download.suggestedFilename(), 'mta-sts.txt');
  assert.equal(readFileSync(await download.path(), 'utf8'), policy);
  const [zoneFile] = await Promise.all([page.waitForEvent('download'), page.locator('#download-zone').click()]);
  assert.equal(zoneFile.suggestedFilename(), 'good.test.zone');
  assert.equal(readFileSync(await zoneFile.path(), 'utf8').trim(), zone.trim());

  // The link carries the draft, compressed; opening it restores the editor.
  const edited = policy.replace('max_age: 604800', 'max_age: 1209600')
    .replace('mx: *.good.test\n', 'mx: *.good.test\nmx: mx1.backup-provider.example\nmx: mx2.backup-provider.example\nmx: *.mail.protection.outlook.com\n');
  await page.locator('#draft-policy').fill(edited);
  await page.locator('#draft-link').click();
  await page.locator('.export-status', { hasText: 'A link to this draft was copied.' }).waitFor();
  const shared = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(shared, page.url());
  const param = new URL(shared).searchParams.get('draft');
  assert.match(param, /^[A-Za-z0-9_-]+$/);
  const plain = encodeURIComponent(edited).length;
  assert.ok(param.length < plain, `the draft is compressed (${param.length} characters, ${plain} as plain text)`);
  console.log(`draft link parameter: ${param.length} characters for a ${edited.length}-byte policy (${plain} percent-encoded)`);
  const again = await open(shared);
  await again.page.waitForFunction((text) => document.querySelector('#draft-policy')?.value === text, edited);
  await again.page.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test('generate keeps an MX that fails TLS in testing and names it', async () => {
  const { page, errors } = await open(`${check('mx-expired.test')}&draft=`);
  await page.locator('#report[data-state="done"]').waitFor({ timeout: 30000 });
  await page.locator('#generate:not([disabled])').click();
  await page.waitForFunction(() => document.querySelector('#draft-policy')?.value.includes('mode: testing'));
  assert.match(await page.locator('#draft-policy').inputValue(), /max_age: 86400/);
  assert.match(await page.locator('#proposal li[data-code="generate.mx.tls_failing"]').innerText(), /mx1\.mx-expired\.test/);
  // On a phone the workbench is one column and nothing is wider than the screen.
  await page.setViewportSize({ width: 360, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the workbench is ${overflow}px wider than the phone`);
  await page.locator('#workbench').screenshot({ path: `${ARTIFACTS}workbench-phone.png` });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a damaged draft in a link is refused with its reason', async () => {
  const { page, errors } = await open(`${check('good.test')}&draft=%%%not-base64`);
  await page.locator('#workbench .input-error', { hasText: 'damaged' }).waitFor();
  const { page: p2 } = await open(`${check('good.test')}&draft=AAAA`);
  await p2.locator('#workbench .input-error', { hasText: 'damaged' }).waitFor();
  await p2.close();
  assert.deepEqual(errors, []);
  await page.close();
});
