// End-to-end test of the supervisor page (make test-e2e; GOCUA_BIN is relative to the repo): a real gocua server on a fresh demo
// database, driven in Debian's Chromium. Every number the page shows is checked against
// what the API answers for the same user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = resolve(ROOT, process.env.GOCUA_BIN || 'target/debug/gocua');
const SHOTS = join(ROOT, 'docs', 'screenshots');
// Demo logins (src/seed/demo.rs): the first ward's supervisor.
const PHONE = '0900000011';
const PASSWORD = 'gocua-demo-2026';
// Access tokens live 70 s, so the page's refresh (a minute before expiry) happens within the run.
const TOKEN_TTL = 70;

let dir;
let server;
let base;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gocua-e2e-'));
  const env = {
    ...process.env,
    GOCUA_DATABASE_URL: `sqlite://${join(dir, 'demo.db')}`,
    GOCUA_BIND: '127.0.0.1:0',
    GOCUA_ACCESS_TOKEN_TTL_SECS: String(TOKEN_TTL),
  };
  execFileSync(BIN, ['seed-demo'], { env, cwd: dir, stdio: 'ignore' });
  server = spawn(BIN, ['serve'], { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  base = await new Promise((done, fail) => {
    const lines = createInterface({ input: server.stderr });
    lines.on('line', (line) => {
      const found = line.match(/listening on (http:\/\/\S+)/);
      if (found) done(found[1]);
    });
    server.on('exit', (code) => fail(new Error(`gocua serve exited with ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The test's own API client, logged in as the same supervisor.
let token = null;
let tokenAt = 0;
async function api(path, options = {}) {
  if (!token || Date.now() - tokenAt > (TOKEN_TTL - 20) * 1000) {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: PHONE, password: PASSWORD }),
    });
    assert.equal(res.status, 200);
    token = (await res.json()).access_token;
    tokenAt = Date.now();
  }
  const res = await fetch(`${base}/api/v1${path}`, {
    ...options,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

async function countAll(path) {
  let n = 0;
  let cursor = '';
  do {
    const { body } = await api(`${path}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    n += body.items.length;
    cursor = body.next_cursor;
  } while (cursor);
  return n;
}

async function openPage(viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  return { context, page, problems };
}

async function logIn(page, phone = PHONE) {
  await page.goto(base + '/');
  assert.match(page.url(), /\/app\/$/);
  await page.getByLabel('Số điện thoại').fill(phone);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.locator('[data-testid=progress] .metric').first().waitFor();
}

const digits = (text) => Number(text.replace(/\D/g, ''));

test('the progress page shows what the API says, in Vietnamese and English', async () => {
  const { context, page, problems } = await openPage({ width: 1280, height: 900 });
  const isRefresh = (r) => r.url().endsWith('/api/v1/auth/refresh');
  const refreshes = [];
  page.on('response', (r) => { if (isRefresh(r)) refreshes.push(r); });
  await page.goto(base + '/');
  assert.equal(await page.locator('h1').textContent(), 'Đăng nhập');
  await page.getByLabel('Số điện thoại').fill(PHONE);
  await page.getByLabel('Mật khẩu').fill('wrong-password');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByText('Sai số điện thoại hoặc mật khẩu.').waitFor();
  assert.deepEqual(problems, ['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
  problems.length = 0;
  await logIn(page);

  const campaigns = (await api('/campaigns')).body.items;
  const campaignId = await page.locator('[data-testid=campaign]').inputValue();
  assert.ok(campaigns.some((c) => c.id === campaignId));
  const progress = (await api(`/campaigns/${campaignId}/progress`)).body;
  assert.ok(progress.rows.length > 0);
  assert.equal(await page.locator('[data-testid=progress] .metric').count(), progress.rows.length);
  for (const row of progress.rows) {
    const bar = page.locator(`.unit[data-unit="${row.unit_code}"] .metric[data-metric="${row.metric}"]`);
    assert.equal(digits(await bar.locator('.actual').textContent()), row.actual, row.metric);
    if (row.target == null) {
      assert.equal(await bar.locator('.target').count(), 0, row.metric);
      continue;
    }
    assert.equal(digits(await bar.locator('.target').textContent()), row.target, row.metric);
    assert.equal(await bar.getAttribute('data-status'), row.status, row.metric);
    const width = await bar.locator('.fill').evaluate((el) => parseFloat(el.style.width));
    const want = row.target > 0 ? Math.min(100, (100 * row.actual) / row.target) : 100;
    assert.ok(Math.abs(width - want) < 0.01, `${row.metric}: bar ${width}% for ${want}%`);
    const mark = await bar.locator('.expected').evaluate((el) => parseFloat(el.style.left));
    const expected = row.target > 0 ? Math.min(100, (100 * row.expected_by_now) / row.target) : 100;
    assert.ok(Math.abs(mark - expected) < 0.01, `${row.metric}: mark ${mark}% for ${expected}%`);
    // A percentage target reads as the campaign states it: the share reached, then the target.
    if (row.target_percent != null) {
      const vi = (n, d = 0) => n.toLocaleString('vi-VN', { minimumFractionDigits: d, maximumFractionDigits: d });
      assert.equal(await bar.locator('.coverage').textContent(),
        `${vi(row.coverage, 1)}% / mục tiêu ${vi(row.target_percent)}% của ${vi(row.population)} người trưởng thành`);
    } else {
      assert.equal(await bar.locator('.coverage').count(), 0);
    }
  }
  assert.ok(progress.rows.some((r) => r.target_percent != null), 'the demo campaign has percentage targets');

  // The daily chart: three lines of 30 days; the visits line is the API's by-day breakdown.
  const lines = page.locator('[data-testid=daily] polyline');
  await lines.first().waitFor();
  assert.equal(await lines.count(), 3);
  const me = (await api('/me')).body;
  const day = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const from = new Date(Date.parse(day) - 29 * 86400e3).toISOString().slice(0, 10);
  const daily = (await api(`/stats/breakdown?unit=${me.unit_code}&by=day&from=${from}&to=${day}`)).body;
  const titles = await page.locator('[data-testid=daily] circle title').allTextContents();
  assert.equal(titles.length, 90);
  for (const row of daily.rows) {
    assert.ok(titles.includes(`${row.key}: ${row.metrics.visits.toLocaleString('vi-VN')}`), row.key);
  }

  // Follow-ups per team.
  const teams = (await api(`/teams?unit=${me.unit_code}`)).body.items;
  assert.ok(teams.length > 0);
  await page.locator('[data-testid=teams] table').waitFor();
  const campaign = campaigns.find((c) => c.id === campaignId);
  const periodEnd = day < campaign.ends_on ? day : campaign.ends_on;
  const byTeam = (await api(`/stats/breakdown?unit=${me.unit_code}&by=team&from=${campaign.starts_on}&to=${periodEnd}`)).body;
  let sessions = 0;
  for (const team of teams) {
    const open = (await api(`/follow-ups?team=${team.id}&limit=500`)).body;
    const row = page.locator(`[data-testid=teams] tr[data-team="${team.id}"]`);
    assert.equal(await row.locator('[data-testid=follow-ups]').textContent(), `${open.items.length}${open.next_cursor ? '+' : ''}`);
    // Classes and support points, and their attendees, per team.
    const metrics = byTeam.rows.find((r) => r.key === team.id)?.metrics ?? { training_sessions: 0, training_attendees: 0 };
    for (const metric of ['training_sessions', 'training_attendees']) {
      assert.equal(digits(await row.locator(`[data-metric=${metric}]`).textContent()), metrics[metric], `${team.name} ${metric}`);
    }
    sessions += metrics.training_sessions;
  }
  assert.ok(sessions > 0, 'the demo ward held classes or support points');
  await page.locator('[data-testid=anomalies] :is(ul, p:not(.muted))').first().waitFor();
  assert.equal(await page.locator('[data-testid=anomalies] .error').count(), 0);

  // A CSV download carries the API's header row.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-export$="-visits.csv"]').click(),
  ]);
  const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
  assert.match(csv.split('\n')[0], /^\uFEFFid,team_id,/);

  assert.doesNotMatch(await page.locator('#main').textContent(), /null|undefined|NaN/);
  await page.screenshot({ path: join(SHOTS, 'progress-desktop.png'), fullPage: true });

  await page.getByTestId('lang').click();
  await page.getByRole('link', { name: 'Progress' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByTestId('lang').click();
  await page.getByRole('link', { name: 'Tiến độ' }).waitFor();

  // The access token is refreshed before it expires, and the page keeps working on the new one.
  const refreshed = refreshes.length ? refreshes[0] : await page.waitForResponse(isRefresh, { timeout: TOKEN_TTL * 1000 });
  assert.equal(refreshed.status(), 200);
  await page.reload();
  await page.locator('[data-testid=progress] .metric').first().waitFor();

  // Logging out ends the session on the server too.
  const refreshToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('gocua.session')).refresh);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.locator('[data-testid=login]').waitFor();
  const reuse = await fetch(`${base}/api/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  assert.equal(reuse.status, 401);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a ward sees its figures per residential group on both maps, and adds and renames one', async () => {
  const { context, page, problems } = await openPage({ width: 1280, height: 900 });
  await logIn(page);
  const me = (await api('/me')).body;
  const campaignId = await page.locator('[data-testid=campaign]').inputValue();
  const campaign = (await api(`/campaigns/${campaignId}`)).body;
  const day = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const to = day < campaign.ends_on ? day : campaign.ends_on;
  const range = `unit=${me.unit_code}&from=${campaign.starts_on}&to=${to}`;
  const total = (await api(`/stats/summary?${range}`)).body.metrics.visits;
  for (const map of ['current', 'as_recorded']) {
    if (map === 'as_recorded') await page.getByTestId('hamlet-map').selectOption(map);
    const table = page.locator(`[data-testid=hamlet-table][data-map=${map}]`);
    await table.waitFor();
    const rows = (await api(`/stats/breakdown?${range}&by=hamlet&map=${map}`)).body.rows;
    assert.equal(rows.reduce((n, r) => n + r.metrics.visits, 0), total, `${map}: rows add up to the ward`);
    assert.equal(await table.locator('tbody tr').count(), rows.length, map);
    for (const row of rows) {
      const tr = table.locator(`tr[data-hamlet="${row.key ?? ''}"]`);
      assert.equal(digits(await tr.locator('[data-metric=visits]').textContent()), row.metrics.visits, `${map} ${row.key}`);
      assert.equal(await tr.getAttribute('data-closed'), String(!!row.closed), `${map} ${row.key}`);
    }
    // The demo merged two groups: as recorded, their closed rows hold the records logged
    // before the merge; on today's map those records are under the group they became.
    const closed = rows.filter((r) => r.closed);
    assert.equal(closed.length, map === 'as_recorded' ? 2 : 0, map);
  }
  await page.locator('section.card', { has: page.getByTestId('hamlets') }).screenshot({ path: join(SHOTS, 'hamlets-ward.png') });

  // Add a residential group, then rename it, from the page.
  await page.locator('[data-testid=hamlets] details summary').click();
  await page.getByTestId('hamlet-name').fill('Tổ dân phố 8');
  await page.getByTestId('hamlet-kind').selectOption('to-dan-pho');
  await page.locator('[data-testid=add-hamlet] button[type=submit]').click();
  const listed = async () => (await api(`/units?parent=${me.unit_code}`)).body.items;
  let added;
  for (let i = 0; i < 50 && !added; i++) {
    added = (await listed()).find((u) => u.name === 'Tổ dân phố 8');
    if (!added) await page.waitForTimeout(100);
  }
  assert.ok(added, 'the new group is in the map');
  const row = page.locator(`[data-testid=hamlet-table] tr[data-hamlet="${added.code}"]`);
  await row.waitFor();
  page.once('dialog', (dialog) => dialog.accept('Tổ dân phố 8A'));
  await row.getByTestId('rename-hamlet').click();
  await page.locator(`[data-testid=hamlet-table] tr[data-hamlet="${added.code}"]`, { hasText: 'Tổ dân phố 8A' }).waitFor();
  assert.equal((await api(`/units/${added.code}`)).body.name, 'Tổ dân phố 8A');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the digital-family tab counts each residential group, and a volunteer sees the doors not visited', async () => {
  const { context, page, problems } = await openPage({ width: 1280, height: 900 });
  await logIn(page);
  const me = (await api('/me')).body;
  await page.getByRole('link', { name: 'Hộ gia đình số' }).click();
  const table = page.getByTestId('household-table');
  await table.waitFor();
  const day = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const from = new Date(Date.parse(day) - 29 * 864e5).toISOString().slice(0, 10);
  const rows = (await api(`/stats/households?unit=${me.unit_code}&from=${from}&to=${day}`)).body.rows;
  assert.ok(rows.some((r) => r.households > 0), 'the demo has households');
  assert.equal(await table.locator('tbody tr').count(), rows.length);
  for (const row of rows) {
    const tr = table.locator(`tr[data-key="${row.key}"]`);
    for (const m of ['households', 'visited', 'reached', 'digital_families']) {
      assert.equal(digits(await tr.locator(`[data-metric=${m}]`).textContent()), row[m], `${row.key} ${m}`);
    }
    assert.equal(await tr.getAttribute('data-area'), String(row.digital_residential_area), row.key);
  }
  await page.locator('section.card', { has: page.getByTestId('household-figures') }).screenshot({ path: join(SHOTS, 'households-ward.png') });
  assert.deepEqual(problems, []);
  await context.close();

  // A volunteer of the ward's first team: the doors of its groups with no visit in 30 days.
  const phone = '0900001111';
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: PASSWORD }),
  });
  const volunteerToken = (await login.json()).access_token;
  const mine = await fetch(`${base}/api/v1/households?not_visited_since=${from}&limit=500`, {
    headers: { authorization: `Bearer ${volunteerToken}` },
  }).then((r) => r.json());
  const second = await openPage({ width: 390, height: 844 });
  await logIn(second.page, phone);
  await second.page.getByRole('link', { name: 'Hộ gia đình số' }).click();
  const list = second.page.getByTestId('not-visited');
  await list.locator('table, p:not(.muted)').first().waitFor();
  assert.equal(await list.locator('tbody tr').count(), mine.items.length);
  assert.deepEqual(second.problems, []);
  await second.context.close();
});

test('a supervisor approves a record from the page and the count goes down', async () => {
  const { context, page, problems } = await openPage({ width: 1280, height: 900 });
  await logIn(page);
  await page.getByRole('link', { name: 'Duyệt hồ sơ' }).click();
  const pending = page.getByTestId('count-pending');
  await pending.waitFor();
  const teamId = await page.getByTestId('team').inputValue();
  const before = Number(await pending.textContent());
  assert.equal(before, await countAll(`/visits?team=${teamId}&review_status=pending`));
  assert.ok(before > 0, 'the demo team has pending visits');

  const first = page.locator('[data-testid=review-list] li').first();
  const recordId = await first.getAttribute('data-record');
  await first.locator('[data-action=rejected]').click();
  await page.getByText('Cần ghi chú khi từ chối.').waitFor();
  assert.equal((await api(`/visits/${recordId}`)).body.review_status, 'pending');

  await first.locator('input').fill('Đã gọi điện xác nhận với hộ gia đình');
  await first.locator('[data-action=approved]').click();
  await page.getByText('Đã duyệt hồ sơ.').waitFor();
  await page.waitForFunction((n) => document.querySelector('[data-testid=count-pending]')?.textContent === String(n), before - 1);
  const stored = (await api(`/visits/${recordId}`)).body;
  assert.equal(stored.review_status, 'approved');
  assert.equal(stored.review_note, 'Đã gọi điện xác nhận với hộ gia đình');
  assert.equal(await countAll(`/visits?team=${teamId}&review_status=pending`), before - 1);

  // Training sessions are reviewed like the other kinds.
  await page.getByTestId('kind').selectOption('training_session');
  await page.getByTestId('count-pending').waitFor();
  assert.equal(Number(await page.getByTestId('count-pending').textContent()),
    await countAll(`/training-sessions?team=${teamId}&review_status=pending`));

  // Flagged assists (duplicate citizens) are listed with the reason the server gave.
  await page.getByTestId('kind').selectOption('vneid_assist');
  await page.getByTestId('status').selectOption('flagged');
  await page.getByTestId('count-flagged').waitFor();
  const flagged = Number(await page.getByTestId('count-flagged').textContent());
  assert.equal(flagged, await countAll(`/vneid-assists?team=${teamId}&review_status=flagged`));
  assert.deepEqual(problems, []);
  await context.close();
});

test('an anomaly links to the records behind it, which can be reviewed there', async () => {
  // A volunteer of the ward (demo phone 0900001{commune}{team}{volunteer}) logs 13 visits in
  // one clock hour: more than a person can do. The hour is 21:00 yesterday, Vietnam time,
  // outside the demo's working hours, so exactly these 13 records are behind it.
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: '0900001111', password: PASSWORD }),
  });
  const volunteer = await login.json();
  const teamId = volunteer.user.teams?.[0]?.team_id
    ?? (await (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${volunteer.access_token}` } })).json()).teams[0].team_id;
  const localMidnight = Math.floor((Date.now() + 7 * 3600e3) / 86400e3) * 86400e3 - 7 * 3600e3;
  const hour = localMidnight - 3 * 3600e3;
  for (let i = 0; i < 13; i += 1) {
    const res = await fetch(`${base}/api/v1/visits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${volunteer.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        team_id: teamId, occurred_at: new Date(hour + i * 4 * 60e3).toISOString(),
        outcome: 'guided', people_guided: 1, topics: ['vneid'], household_ref: `E2E-${i}`,
      }),
    });
    assert.equal(res.status, 201);
  }
  const { context, page, problems } = await openPage({ width: 1280, height: 900 });
  await logIn(page);
  const item = page.locator('[data-testid=anomalies] li[data-reason=too_many_per_hour]')
    .filter({ hasText: volunteer.user.full_name });
  await item.waitFor();
  assert.match(await item.textContent(), /Quá nhiều hồ sơ trong một giờ/);
  await item.locator('summary').click();
  const links = item.locator('a');
  assert.equal(await links.count(), 13);
  const href = await links.first().getAttribute('href');
  const id = decodeURIComponent(href.split('/').pop());
  await links.first().click();
  await page.locator('[data-action=flagged]').click();
  await page.getByText('Đã gắn cờ hồ sơ.').waitFor();
  assert.equal((await api(`/visits/${id}`)).body.review_status, 'flagged');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a province supervisor sees the units with targets first, and every unit on request', async () => {
  const { context, page, problems } = await openPage({ width: 1280, height: 900 });
  await logIn(page, '0900000002');
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: '0900000002', password: PASSWORD }),
  });
  const auth = { authorization: `Bearer ${(await login.json()).access_token}` };
  const campaignId = await page.locator('[data-testid=campaign]').inputValue();
  const rows = (await (await fetch(`${base}/api/v1/campaigns/${campaignId}/progress`, { headers: auth })).json()).rows;
  const units = new Set(rows.map((r) => r.unit_code));
  const targeted = new Set(rows.filter((r) => r.target != null).map((r) => r.unit_code));
  assert.ok(targeted.size > 1 && units.size > targeted.size);
  assert.equal(await page.locator('[data-testid=progress] .unit').count(), targeted.size);
  // Most behind first: the first unit has the largest shortfall against today's mark.
  const shortfall = (code) => Math.min(...rows.filter((r) => r.unit_code === code && r.target > 0)
    .map((r) => (r.actual - r.expected_by_now) / r.target));
  const shown = await page.locator('[data-testid=progress] .unit').evaluateAll((els) => els.map((e) => e.dataset.unit));
  const gaps = shown.map(shortfall);
  assert.deepEqual(gaps, [...gaps].sort((a, b) => a - b));
  await page.getByTestId('untargeted').check();
  assert.equal(await page.locator('[data-testid=progress] .unit').count(), units.size);
  assert.equal(await page.locator('[data-testid=progress] .metric').count(), rows.length);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a province supervisor ranks the communes by coverage, and sees whose figures are missing', async () => {
  const { context, page, problems } = await openPage({ width: 1280, height: 900 });
  await logIn(page, '0900000002');
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: '0900000002', password: PASSWORD }),
  });
  const auth = { authorization: `Bearer ${(await login.json()).access_token}` };
  const get = async (path) => (await fetch(`${base}/api/v1${path}`, { headers: auth })).json();
  const campaignId = await page.locator('[data-testid=campaign]').inputValue();
  const campaign = await get(`/campaigns/${campaignId}`);
  const day = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const to = day < campaign.ends_on ? day : campaign.ends_on;
  const vi = (n, d = 0) => n.toLocaleString('vi-VN', { minimumFractionDigits: d, maximumFractionDigits: d });

  // The ranking shows the table the API's per-population breakdown gives, best coverage first.
  const check = async (metric, per, baseName) => {
    const data = await get(`/stats/breakdown?unit=${campaign.unit_code}&by=unit&from=${campaign.starts_on}&to=${to}&per=${per}`);
    assert.ok(Array.isArray(data.rows), JSON.stringify(data));
    const ranked = data.rows.filter((r) => r.population != null)
      .sort((a, b) => b.per_100[metric] - a.per_100[metric] || a.key.localeCompare(b.key));
    assert.ok(ranked.length >= 2, 'the demo wards have figures');
    const table = page.locator(`[data-testid=ranking-table][data-metric="${metric}"][data-base="${per}"]`);
    await table.waitFor();
    const shown = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.unit));
    assert.deepEqual(shown, ranked.map((r) => r.key));
    for (const row of ranked) {
      const tr = table.locator(`tr[data-unit="${row.key}"]`);
      assert.equal(await tr.locator('[data-testid=population]').textContent(), `${vi(row.population)} ${baseName}`);
      assert.equal(await tr.locator('[data-testid=coverage]').textContent(), `${vi(row.per_100[metric], 1)}%`);
    }
    const missing = data.rows.filter((r) => r.population == null);
    assert.ok(missing.length > 0, 'most communes of Hà Nội have no figures in the demo');
    assert.equal(await page.locator('[data-testid=figures-missing] summary').textContent(),
      `Chưa có số liệu dân số, không xếp hạng: ${vi(missing.length)}`);
  };
  const first = campaign.targets.find((target) => target.percent != null);
  await page.locator('[data-testid=ranking-table]').waitFor();
  await check(first.metric, first.of, 'người trưởng thành');
  await page.locator('section.card', { has: page.getByTestId('ranking') }).screenshot({ path: join(SHOTS, 'ranking-province.png') });
  // Each choice redraws the table: the second waits for the first's.
  await page.getByTestId('rank-metric').selectOption('signatures_submitted');
  await check('signatures_submitted', first.of, 'người trưởng thành');
  await page.getByTestId('rank-base').selectOption('aged_15_plus');
  await check('signatures_submitted', 'aged_15_plus', 'người từ 15 tuổi trở lên');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a ward certifies last month on its page, the province accepts it on its own, and sees a late record', async () => {
  const months = (() => {
    const now = new Date(Date.now() + 7 * 3600e3);
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  })();
  const [y, m] = months.split('-').map(Number);
  const from = `${months}-01`;
  const to = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  const me = (await api('/me')).body;

  // The ward supervisor sees the month's figures, as the API counts them, and certifies.
  const ward = await openPage({ width: 1280, height: 900 });
  await logIn(ward.page);
  await ward.page.getByRole('link', { name: 'Chứng nhận số liệu' }).click();
  await ward.page.getByTestId('cert-figures').waitFor();
  assert.equal(await ward.page.getByTestId('cert-month').inputValue(), months);
  const summary = (await api(`/stats/summary?unit=${me.unit_code}&from=${from}&to=${to}`)).body;
  for (const [metric, value] of Object.entries(summary.metrics)) {
    const cell = ward.page.locator(`[data-testid=cert-figures] tr[data-metric=${metric}] td.num`);
    assert.equal(digits(await cell.textContent()), value, metric);
  }
  assert.equal(await ward.page.getByTestId('cert-status').getAttribute('data-status'), 'none');
  await ward.page.getByTestId('cert-note').fill('Đã rà soát với hai tổ');
  await ward.page.getByTestId('certify').click();
  await ward.page.locator('[data-testid=cert-status][data-status=submitted]').waitFor();
  const [certified] = (await api(`/certifications?unit=${me.unit_code}&period=${months}`)).body.items;
  assert.equal(certified.status, 'submitted');
  assert.deepEqual(certified.metrics, summary.metrics);
  assert.equal(certified.note, 'Đã rà soát với hai tổ');
  assert.equal(await ward.page.getByTestId('certify').count(), 0, 'one live certification a month');
  await ward.page.screenshot({ path: join(SHOTS, 'certify-ward.png'), fullPage: true });

  // The province supervisor accepts it from the table of its communes.
  const province = await openPage({ width: 1280, height: 900 });
  await logIn(province.page, '0900000002');
  await province.page.getByRole('link', { name: 'Chứng nhận số liệu' }).click();
  const row = province.page.locator(`[data-testid=cert-table] tr[data-unit="${me.unit_code}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('cert-status').getAttribute('data-status'), 'submitted');
  await row.locator('[data-action=accept]').click();
  await province.page.locator(`[data-testid=cert-table] tr[data-unit="${me.unit_code}"] [data-status=accepted]`).waitFor();
  assert.equal((await api(`/certifications/${certified.id}`)).body.status, 'accepted');
  assert.match(await province.page.getByTestId('cert-missing').textContent(), /Chưa chứng nhận tháng này: \d+/);

  // The period is locked for changes, but an offline phone's late visit is stored and shows.
  const [record] = (await api(`/visits?unit=${me.unit_code}&from=${from}&to=${to}&limit=1`)).body.items;
  const locked = await api(`/visits/${record.id}`, { method: 'PATCH', body: JSON.stringify({ note: 'Sửa sau khi khoá sổ' }) });
  assert.equal(locked.status, 409);
  assert.equal(locked.body.certification_id, certified.id);
  const volunteer = await (await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: '0900001111', password: PASSWORD }),
  })).json();
  const team = (await (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${volunteer.access_token}` } })).json()).teams[0].team_id;
  const late = await fetch(`${base}/api/v1/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${volunteer.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ visits: [{ team_id: team, occurred_at: `${to}T09:00:00+07:00`, outcome: 'guided', people_guided: 1, topics: ['vneid'] }] }),
  });
  assert.equal((await late.json()).results[0].status, 'created');
  const detail = (await api(`/certifications/${certified.id}`)).body;
  assert.equal(detail.live_metrics.visits, detail.metrics.visits + 1);
  assert.equal(detail.changes_since, 1);
  await province.page.reload();
  const drifted = province.page.locator(`[data-testid=cert-table] tr[data-unit="${me.unit_code}"] [data-testid=drift]`);
  await drifted.waitFor();
  assert.match(await drifted.textContent(), new RegExp(`Lượt thăm hộ: ${detail.metrics.visits.toLocaleString('vi-VN')} → ${detail.live_metrics.visits.toLocaleString('vi-VN')}`));
  await province.page.screenshot({ path: join(SHOTS, 'certify-province.png'), fullPage: true });
  assert.deepEqual(ward.problems, []);
  assert.deepEqual(province.problems, []);
  await ward.context.close();
  await province.context.close();
});

test('on a phone screen nothing is wider than the screen', async () => {
  const { context, page, problems } = await openPage({ width: 390, height: 844 });
  await logIn(page);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(await overflow() <= 0, `page is ${await overflow()} px too wide`);
  await page.locator('[data-testid=teams] table').waitFor();
  await page.screenshot({ path: join(SHOTS, 'progress-phone.png') });
  await page.getByRole('link', { name: 'Duyệt hồ sơ' }).click();
  await page.locator('[data-testid=review-list] li').first().waitFor();
  assert.ok(await overflow() <= 0, `review is ${await overflow()} px too wide`);
  await page.screenshot({ path: join(SHOTS, 'review-phone.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
