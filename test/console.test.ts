// The analyst console end to end, in Debian's Chromium against the real `warden serve`: a member of the
// public reports a page with two pictures, an analyst finds the case at the top of the queue with its media
// blurred, reveals one (audited), reloads the page (the claim is let go and taken again, the reveal is
// remembered), confirms that picture with a grade and sets the other aside, a second analyst agrees using
// only the keyboard, and then only the confirmed picture is in the bank, a resized copy matches it, and
// the reporter hears back by email. The images are generated, benign patterns standing in for abusive
// material.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  openBrowser,
  startSmtpSink,
  startWarden,
  testOutput,
  warden,
} from './support/index.js';
import type { BrowserSession, SmtpSink, WardenServer } from './support/index.js';

const consoleIndex = resolve(fileURLToPath(new URL('..', import.meta.url)), 'build', 'console', 'index.html');
const password = { ana: 'ana-correct-horse-battery', ben: 'ben-correct-horse-battery' };
const reporterEmail = 'reporter@example.org';

/** A benign synthetic picture with enough structure for a trustworthy PDQ hash. */
async function patternImage(): Promise<Buffer> {
  const shapes = Array.from({ length: 14 }, (_, index) => {
    const x = (index * 97) % 512;
    const y = (index * 173) % 512;
    const r = 30 + ((index * 37) % 70);
    const fill = ['#d9480f', '#1864ab', '#2b8a3e', '#f59f00', '#862e9c', '#0b7285'][index % 6];
    return `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#f8f9fa"/><stop offset="1" stop-color="#343a40"/></linearGradient></defs>
    <rect width="512" height="512" fill="url(#g)"/>
    <g stroke="#212529" stroke-width="10">${Array.from({ length: 8 }, (_, i) => `<line x1="0" y1="${i * 64}" x2="512" y2="${i * 64 + 200}"/>`).join('')}</g>
    ${shapes}
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Serves, on 127.0.0.1, the reported page: the picture and an unrelated one (a plain banner). */
async function startImageHost(
  image: Buffer,
  banner: Buffer,
): Promise<{ url: string; close: () => Promise<void> }> {
  const pictures: Record<string, Buffer> = { '/pictures/pattern.png': image, '/pictures/banner.png': banner };
  const server: Server = createServer((request, response) => {
    const picture = pictures[request.url ?? ''];
    if (picture !== undefined) {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': picture.length });
      response.end(picture);
    } else if (request.url === '/gallery.html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        '<html><body><img src="/pictures/pattern.png"><img src="/pictures/banner.png"></body></html>',
      );
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/gallery.html`,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function poll<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

/** Waits until an <img> has loaded and decoded a picture. */
async function imageShown(image: Locator): Promise<void> {
  await expect
    .poll(() =>
      image.evaluate(
        (element: { complete: boolean; naturalWidth: number }) =>
          element.complete && element.naturalWidth > 0,
      ),
    )
    .toBe(true);
}

interface CaseJson {
  id: number;
  status: string;
  outcome: string;
  media_count: number;
  thumbnail_sha256: string | null;
  media: { sha256: string; pdq: string }[];
  pending: { actor: string; category: string; grade: string } | null;
  decisions: { kind: string; actor: string; grade: string }[];
}

describeInBrowser('the analyst console in Chromium', () => {
  let dataDir = '';
  let server: WardenServer;
  let smtp: SmtpSink;
  let host: { url: string; close: () => Promise<void> };
  let image: Buffer;
  let banner: Buffer;
  let adminKey = '';
  let platformKey = '';
  const users: Record<'ana' | 'ben', number> = { ana: 0, ben: 0 };
  const browsers: BrowserSession[] = [];
  const screenshots = testOutput('console');

  // What the scenario learns as it goes.
  let reference = '';
  let caseId = 0;
  let sha256 = '';
  let anaPage: Page | undefined;

  const api = async <T>(path: string, init: { key?: string; method?: string; body?: FormData } = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${init.key ?? adminKey}` },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  const browse = async (): Promise<Page> => {
    const session = await openBrowser({ baseURL: server.url });
    browsers.push(session);
    const page = session.context.pages()[0] ?? (await session.context.newPage());
    page.on('pageerror', (error) => console.error(`console page error: ${error.message}`));
    return page;
  };

  const signIn = async (page: Page, username: 'ana' | 'ben') => {
    await page.goto('/');
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password[username]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(consoleIndex)) {
      throw new Error(`The console is not built (${consoleIndex} is missing): run "npm run build".`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'warden-console-'));
    image = await patternImage();
    banner = await sharp({ create: { width: 300, height: 80, channels: 3, background: '#1864ab' } })
      .png()
      .toBuffer();
    host = await startImageHost(image, banner);
    smtp = await startSmtpSink();
    const environment = {
      WARDEN_DATA_DIR: dataDir,
      WARDEN_NETWORK_ALLOW: '127.0.0.1',
      WARDEN_SMTP_URL: smtp.url,
      WARDEN_LOG_LEVEL: 'warn',
    };

    for (const name of ['ana', 'ben'] as const) {
      const created = await warden(
        ['users', 'create', '--username', name, '--role', 'analyst', '--password-stdin', '--json'],
        environment,
        `${password[name]}\n`,
      );
      users[name] = (JSON.parse(created) as { id: number }).id;
    }
    await warden(['bank', 'create', 'csam-standin', '--category', 'csam'], environment);
    adminKey = (
      JSON.parse(await warden(['keys', 'create', '--role', 'admin', '--json'], environment)) as {
        key: string;
      }
    ).key;
    platformKey = (
      JSON.parse(await warden(['keys', 'create', '--role', 'platform', '--json'], environment)) as {
        key: string;
      }
    ).key;
    server = await startWarden(environment);
  });

  afterAll(async () => {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await server?.stop();
    await smtp?.close();
    await host?.close();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes a public report on the public page and gives a reference', async () => {
    const page = await browse();
    await page.goto('/report');
    await page.getByLabel('Address (URL) of the page or image').fill(host.url);
    await page.getByLabel(/Sexual abuse of a child/).check();
    await page.getByLabel('Your email address (optional)').fill(reporterEmail);
    await page.getByRole('button', { name: 'Send report' }).click();
    reference = (await page.getByTestId('reference').textContent()) ?? '';
    expect(reference).toMatch(/^WR-/);
    await page.getByText('What happens next').waitFor();
    await page.screenshot({ path: join(screenshots, 'public-report.png'), fullPage: true });

    // The server fetches the page in the background and stores both pictures as evidence of the case.
    const found = await poll('the reported pictures to be fetched', async () => {
      const result = await api<{ cases: CaseJson[] }>(`/v1/search?q=${encodeURIComponent(reference)}`);
      const item = result.cases[0];
      return item !== undefined && item.media_count === 2 ? item : undefined;
    });
    caseId = found.id;
    sha256 = sha256Of(image);
    expect(found.thumbnail_sha256).toBe(sha256);
  });

  it('shows the case to an analyst at the top of the queue, blurred, and audits the reveal', async () => {
    const page = await browse();
    const evidenceRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/evidence/')) evidenceRequests.push(request.url());
    });
    anaPage = page;
    await signIn(page, 'ana');

    // Her own wellness setting: warn after the first reveal of the day.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Warn me after this many reveals in a day').fill('1');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('settings are saved');
    await page.getByRole('link', { name: 'Queue' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();

    const firstRow = page.locator('table.cases tbody tr').first();
    expect(await firstRow.getAttribute('data-case-id')).toBe(String(caseId));
    await expect.poll(() => firstRow.textContent()).toContain('source: public report');
    const thumbnail = firstRow.locator('img');
    expect(await thumbnail.getAttribute('src')).toBe(`/v1/evidence/${sha256}?view=blurred`);
    await imageShown(thumbnail);
    await page.screenshot({ path: join(screenshots, 'queue.png'), fullPage: true });

    // The first row is selected: Enter opens it, and opening claims it.
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/cases/${caseId}`);
    await page.getByRole('heading', { name: `Case ${caseId}` }).waitFor();
    const media = page.locator(`.media-item[data-sha256="${sha256}"]`);
    expect(await media.getAttribute('data-view')).toBe('blurred');
    const blurred = media.locator('img');
    expect(await blurred.getAttribute('src')).toBe(`/v1/evidence/${sha256}?view=blurred&case_id=${caseId}`);
    expect(
      await page.evaluate<string>(`getComputedStyle(document.querySelector('.media-item img')).filter`),
    ).toMatch(/grayscale\(1\) blur/);
    await imageShown(blurred);
    expect(evidenceRequests.some((url) => url.includes('view=revealed'))).toBe(false);
    await page.screenshot({ path: join(screenshots, 'case-blurred.png'), fullPage: true });

    await media.getByRole('button', { name: /Reveal/ }).click();
    await media.locator('img.revealed').waitFor();
    expect(await media.getAttribute('data-view')).toBe('revealed');
    await expect.poll(() => page.getByTestId('exposure').textContent()).toMatch(/revealed 1 item today/);
    await page.getByText('You have reached your daily exposure level').waitFor();
    expect(evidenceRequests.filter((url) => url.includes('view=revealed'))).toEqual([
      `${server.url}/v1/evidence/${sha256}?view=revealed&case_id=${caseId}`,
    ]);
    await imageShown(media.locator('img.revealed'));
    await page.screenshot({ path: join(screenshots, 'case-revealed.png'), fullPage: true });

    const audit = await api<
      { actor: string; action: string; target: string; details: Record<string, unknown> }[]
    >('/v1/audit?action=evidence.reveal');
    expect(audit).toEqual([
      expect.objectContaining({
        actor: `user:${users.ana}`,
        action: 'evidence.reveal',
        target: `case:${caseId}`,
        details: expect.objectContaining({ view: 'revealed', sha256 }),
      }),
    ]);
    // The case's history shows it too.
    const history = await api<CaseJson & { history: { action: string; actor: string }[] }>(
      `/v1/cases/${caseId}`,
    );
    expect(history.history).toContainEqual(
      expect.objectContaining({ action: 'evidence.reveal', actor: `user:${users.ana}` }),
    );

    // `h` blurs it again.
    await page.keyboard.press('h');
    await expect.poll(() => media.getAttribute('data-view')).toBe('blurred');
    await media.getByRole('button', { name: /Reveal/ }).waitFor();

    // Reloading lets the claim go as the page leaves and takes it again; the server remembers the reveal.
    await page.reload();
    await page.getByRole('heading', { name: `Case ${caseId}` }).waitFor();
    await page.getByRole('radiogroup', { name: 'Item 1 (revealed)' }).waitFor();
    const released = await api<{ actor: string; target: string }[]>('/v1/audit?action=case.released');
    expect(released).toEqual([
      expect.objectContaining({ actor: `user:${users.ana}`, target: `case:${caseId}` }),
    ]);
    const claims = await api<{ actor: string }[]>('/v1/audit?action=case.claimed');
    expect(claims.filter((entry) => entry.actor === `user:${users.ana}`)).toHaveLength(2);
    const held = await api<CaseJson & { locked_by: string | null; claim: { revealed: string[] } | null }>(
      `/v1/cases/${caseId}`,
    );
    expect(held.locked_by).toBe(`user:${users.ana}`);
    expect(held.claim?.revealed).toEqual([sha256]);
  });

  it('records a graded confirmation that then waits for a second analyst', async () => {
    const page = anaPage;
    if (page === undefined) throw new Error('the first analyst never signed in');
    expect(await page.getByLabel('Category').inputValue()).toBe('csam');
    // Each item is decided on its own: the picture is confirmed, the banner and the page set aside.
    const banner = page.getByRole('radiogroup', { name: 'Item 2' });
    await page.getByRole('radiogroup', { name: 'Item 1 (revealed)' }).getByLabel('Confirm').check();
    await page
      .getByRole('radiogroup', { name: /^Page / })
      .getByLabel('Not actionable')
      .check();
    await banner.getByLabel('Confirm').check();
    await page.getByLabel('Grade', { exact: true }).selectOption('B');
    await page.getByLabel('Reason').fill('Stand-in picture; graded B for the test.');
    await page.getByRole('button', { name: /^Confirm/ }).click();
    // The banner was never revealed: the console says so before the server would.
    await expect
      .poll(() => page.locator('.live-error').textContent())
      .toContain('Reveal each item you confirm before confirming it: item 2');
    await banner.getByLabel('Not actionable').check();
    await page.getByLabel('Bank for a confirmation').selectOption('csam-standin');
    await page.getByRole('button', { name: /^Confirm/ }).click();

    // With nothing else in the queue, the console goes back to it.
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('second analyst');

    const pending = await api<CaseJson>(`/v1/cases/${caseId}`);
    expect(pending.status).toBe('awaiting_agreement');
    expect(pending.pending).toMatchObject({
      actor: `user:${users.ana}`,
      category: 'csam',
      grade: 'B',
      items: [{ sha256, grade: 'B' }],
      urls: [],
    });
  });

  it('lets a second analyst agree using only the keyboard', async () => {
    const page = await browse();
    await page.goto('/');
    await page.waitForURL(/\/sign-in/);
    // The username field has the focus; Tab to the password, Enter to sign in.
    await page.keyboard.type('ben');
    await page.keyboard.press('Tab');
    await page.keyboard.type(password.ben);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();

    const rows = page.locator('table.cases tbody tr');
    expect(await rows.first().getAttribute('data-case-id')).toBe(String(caseId));
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await rows.first().getAttribute('aria-current')).toBe('true');
    // `?` lists the shortcuts, Esc closes the list; `/` searches, here by the public reference.
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(new URL(page.url()).pathname).toBe('/');
    await page.keyboard.press('/');
    await page.keyboard.type(reference);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    await page.getByRole('heading', { name: /Search results/ }).waitFor();
    expect(await rows.first().getAttribute('data-case-id')).toBe(String(caseId));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/cases/${caseId}`);
    await page.getByTestId('pending').waitFor();
    expect(await page.getByTestId('pending').textContent()).toContain('grade B');

    // Reveal and hide by key, then agree: `a` with no reason yet goes to the reason field.
    await page.keyboard.press('r');
    await page.locator('img.revealed').waitFor();
    await page.screenshot({ path: join(screenshots, 'case-pending.png'), fullPage: true });
    await page.keyboard.press('h');
    await page.locator(`.media-item[data-sha256="${sha256}"] img.blurred`).waitFor();
    expect(await page.getByTestId('agreement-set').textContent()).toContain('item 1 (grade B)');
    await page.keyboard.press('a');
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('decision-reason');
    await page.keyboard.type('Agree: stand-in picture, grade B.');
    await page.keyboard.press('Control+Enter');
    await page.waitForURL((url) => url.pathname === '/');

    const decided = await api<CaseJson>(`/v1/cases/${caseId}`);
    expect(decided.status).toBe('decided');
    expect(decided.outcome).toBe('confirmed');
    expect(decided.decisions.map((decision) => [decision.kind, decision.actor])).toEqual([
      ['confirmed', `user:${users.ana}`],
      ['agree', `user:${users.ben}`],
    ]);

    // The decided case reads as such, without a decision form.
    await page.goto(`/cases/${caseId}`);
    await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('decided');
    await page.screenshot({ path: join(screenshots, 'case-decided.png'), fullPage: true });
  });

  it('shows the decision on the dashboard', async () => {
    const page = anaPage;
    if (page === undefined) throw new Error('the first analyst never signed in');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('img', { name: /Reports per day by source/ }).waitFor();
    expect(
      await page.getByRole('img', { name: /Confirmed cases by category and grade/ }).textContent(),
    ).toContain('csam B');
    expect(await page.getByTestId('median').textContent()).not.toBe('—');
    await page.screenshot({ path: join(screenshots, 'dashboard.png'), fullPage: true });
  });

  it('puts the picture in the bank, so that a resized copy matches, and tells the reporter', async () => {
    const detail = await api<CaseJson>(`/v1/cases/${caseId}`);
    const pdq = detail.media[0]?.pdq ?? '';
    expect(pdq).toMatch(/^[0-9a-f]{64}$/);
    const entries = await api<{ id: number; signal_type: string; signal: string }[]>(
      '/v1/banks/csam-standin/entries',
    );
    const entry = entries.find((candidate) => candidate.signal_type === 'pdq' && candidate.signal === pdq);
    expect(entry).toBeDefined();
    // Only what was confirmed: not the banner, not the page.
    expect(entries.map((candidate) => candidate.signal).sort()).toEqual(
      [pdq, sha256, createHash('md5').update(image).digest('hex')].sort(),
    );
    expect(entries.map((candidate) => candidate.signal)).not.toContain(sha256Of(banner));

    // The server's matcher follows bank changes within WARDEN_INDEX_REFRESH_MS (1 s by default).
    const resized = await sharp(image).resize(301, 301).jpeg({ quality: 80 }).toBuffer();
    const match = await poll('the resized copy to match', async () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(resized)]), 'resized.jpg');
      const result = await api<{
        matches: { bank: string; signal_type: string; entry_id: number; distance: number }[];
      }>('/v1/match', { key: platformKey, method: 'POST', body: form });
      return result.matches.find((candidate) => candidate.signal_type === 'pdq');
    });
    // A platform key learns which entry matched, not the entry's hash.
    expect(match).toMatchObject({ bank: 'csam-standin', entry_id: entry?.id });
    expect(match).not.toHaveProperty('signal');
    expect(match.distance).toBeLessThanOrEqual(31);

    const mail = await poll('the reporter’s email', () =>
      Promise.resolve(smtp.messages.find((message) => message.to.includes(reporterEmail))),
    );
    expect(mail.text).toContain(reference);
  });
});
