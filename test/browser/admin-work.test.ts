/// <reference lib="dom" />
// The admin pages for team work in a browser: an admin creates a team, sets how it hands out cases,
// picks its members, renames and deletes it; renames a tag, merges one into another and deletes one.
// Each step is checked against the API, which is what every other agent's screen reads.
import { describe, expect, test } from 'vitest';
import { api, caseBySubject, mail, newAgent, screenshot, send, suffix, url, useBrowserHarness } from './harness.ts';

useBrowserHarness();

interface TeamView {
  id: string;
  name: string;
  assignMode: string;
  memberIds: string[];
}
interface TagCount {
  id: string;
  name: string;
  cases: number;
}

async function write(method: string, pathname: string, body: unknown): Promise<void> {
  const res = await fetch(`${url()}${pathname}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: url() },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

const teams = async () => (await api<{ teams: TeamView[] }>('/api/admin/teams')).teams;
const tags = async () => (await api<{ items: TagCount[] }>('/api/tags')).items;

describe('team and tag admin in a browser', () => {
  test('a team is created, given a mode and members, renamed and deleted', async () => {
    const page = await (await newAgent('admin')).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${url()}/#/admin/teams`);
    await page.locator('[data-testid="admin-teams"]').waitFor();
    const name = `Billing ${suffix()}`;
    await page.locator('[data-testid="team-new-name"]').fill(name);
    await page.locator('[data-testid="team-create"]').click();
    const row = page.locator('[data-testid="team-row"]', { has: page.locator(`input[aria-label="Name of ${name}"]`) });
    await row.waitFor();
    const id = await row.getAttribute('data-team-id');
    expect((await teams()).find((t) => t.id === id)).toMatchObject({ name, assignMode: 'round-robin', memberIds: [] });

    await row.locator(`select[aria-label="Assign mode of ${name}"]`).selectOption('least-open');
    await expect.poll(async () => (await teams()).find((t) => t.id === id)?.assignMode).toBe('least-open');
    const firstMember = row.locator('label.member input[type="checkbox"]').first();
    await firstMember.check();
    await expect.poll(async () => (await teams()).find((t) => t.id === id)?.memberIds.length).toBe(1);
    await screenshot(page, 'admin-teams.png');

    const renamed = `${name} EU`;
    const input = row.locator('input[type="text"]');
    await input.fill(renamed);
    await input.press('Enter');
    await input.blur();
    await expect.poll(async () => (await teams()).find((t) => t.id === id)?.name).toBe(renamed);

    await page.locator(`[data-testid="team-row"][data-team-id="${id}"] button`, { hasText: 'Delete' }).click();
    await page.locator(`[data-testid="team-row"][data-team-id="${id}"]`).waitFor({ state: 'detached' });
    expect((await teams()).some((t) => t.id === id)).toBe(false);
  });

  test('a tag is renamed, merged into another and deleted; the counts follow', async () => {
    const s = suffix();
    const subject = `Tagged for admin ${s}`;
    await send('tagged@example.com', mail({ from: 'Tia <tagged@example.com>', subject, body: 'Tag me.' }));
    const kase = await caseBySubject(subject);
    const [a, b, c] = [`alpha-${s}`, `beta-${s}`, `gamma-${s}`];
    await write('PATCH', `/api/cases/${kase.id}`, { tags: { add: [a, b, c] } });

    const page = await (await newAgent('admin')).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${url()}/#/admin/tags`);
    await page.locator('[data-testid="admin-tags"]').waitFor();
    const rowOf = (n: string) => page.locator(`[data-testid="tag-row"][data-tag="${n}"]`);
    await rowOf(a).waitFor();

    const renamed = `alpha-renamed-${s}`;
    await rowOf(a).locator('[data-testid="tag-name"]').fill(renamed);
    await rowOf(a).locator('[data-testid="tag-save"]').click();
    await rowOf(renamed).waitFor();
    await expect.poll(async () => (await tags()).some((t) => t.name === renamed)).toBe(true);

    const gammaId = (await tags()).find((t) => t.name === c)!.id;
    await rowOf(b).locator('[data-testid="tag-merge"]').selectOption(gammaId);
    await rowOf(b).waitFor({ state: 'detached' });
    await expect.poll(async () => (await tags()).find((t) => t.name === c)?.cases).toBe(1);
    expect((await tags()).some((t) => t.name === b)).toBe(false);

    await rowOf(c).locator('[data-testid="tag-delete"]').click();
    await rowOf(c).waitFor({ state: 'detached' });
    const left = await api<{ case: { tags: Array<{ name: string }> } }>(`/api/cases/${kase.id}`);
    expect(left.case.tags.map((t) => t.name)).toEqual([renamed]);
    await screenshot(page, 'admin-tags.png');
  });
});
