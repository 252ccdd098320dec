import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  renderPlanJson,
  renderPlanTable,
  writePlanJson,
  writePlanTable,
} from '../../src/app/plan-report';
import type { Decision, Plan } from '../../src/retention';

function decision(overrides: Partial<Decision> & Pick<Decision, 'snapshotId'>): Decision {
  return {
    regionId: 'cn-hangzhou',
    sourceDiskId: 'd-live',
    creationTime: '2026-11-30T03:00:00Z',
    action: 'keep',
    policy: 'default',
    reasons: ['last 3'],
    sizeGiB: 40,
    usage: 'none',
    flags: [],
    ...overrides,
  };
}

const DECISIONS: readonly Decision[] = [
  decision({ snapshotId: 's-live-new', reasons: ['last 3', 'daily 2026-11-30'] }),
  decision({
    snapshotId: 's-live-old',
    creationTime: '2026-10-01T03:00:00Z',
    action: 'delete',
    reasons: ['not kept by last 3, daily 7'],
  }),
  decision({
    snapshotId: 's-gone-1',
    sourceDiskId: 'd-gone',
    creationTime: '2026-09-01T00:00:00Z',
    action: 'park',
    policy: 'released-disks',
    reasons: ['not kept by within 30d', 'in use by image m-1'],
    usage: 'image',
    flags: ['orphan'],
  }),
  decision({
    snapshotId: 's-beijing',
    regionId: 'cn-beijing',
    sourceDiskId: 'd-bj',
    policy: null,
    reasons: ['no policy matches'],
  }),
  decision({
    snapshotId: 's-broken',
    sourceDiskId: null,
    creationTime: '2026-02-29T00:00:00Z',
    policy: null,
    reasons: ['unreadable CreationTime "2026-02-29T00:00:00Z"'],
    sizeGiB: null,
    flags: ['unreadable'],
  }),
];

const PLAN: Plan = {
  now: '2026-12-01T00:00:00Z',
  summary: {
    total: 5,
    delete: 1,
    keep: 3,
    park: 1,
    reclaimGiB: 40,
    unreadable: 1,
    stuck: 0,
    orphans: 1,
  },
  guard: { ok: true, code: null, reason: null },
  decisions: DECISIONS,
  staleDisks: [
    {
      diskId: 'd-live',
      regionId: 'cn-hangzhou',
      policy: 'default',
      newestSnapshotTime: '2026-11-30T03:00:00Z',
      expectedEvery: '1d',
    },
  ],
  warnings: ['1 item(s) in inventory.json have no SnapshotId and cannot be planned'],
};

const REFUSED: Plan = {
  ...PLAN,
  guard: {
    ok: false,
    code: 'GUARD_MAX_DELETIONS',
    reason: '1 deletions planned, above safety.maxDeletionsPerRun 0',
  },
};

function collect(): PassThrough & { text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8') });
}

describe('renderPlanJson', () => {
  it('has the DESIGN.md section 5 shape, in that key order', () => {
    const json = JSON.parse(renderPlanJson(PLAN)) as Record<string, unknown>;

    expect(Object.keys(json)).toEqual([
      'now',
      'summary',
      'guard',
      'decisions',
      'staleDisks',
      'warnings',
    ]);
    expect(json.now).toBe('2026-12-01T00:00:00Z');
    expect(json.summary).toEqual(PLAN.summary);
    expect(Object.keys(json.summary as object)).toEqual([
      'total',
      'delete',
      'keep',
      'park',
      'reclaimGiB',
      'unreadable',
      'stuck',
      'orphans',
    ]);
    expect(json.guard).toEqual({ ok: true, reason: null, code: null });
    expect(json.staleDisks).toEqual(PLAN.staleDisks);
    expect(json.warnings).toEqual(PLAN.warnings);
  });

  it('writes every decision with its fields in a fixed order', () => {
    const json = JSON.parse(renderPlanJson(PLAN)) as { decisions: Record<string, unknown>[] };

    expect(json.decisions).toEqual(DECISIONS);
    expect(Object.keys(json.decisions[0] ?? {})).toEqual([
      'snapshotId',
      'regionId',
      'sourceDiskId',
      'creationTime',
      'action',
      'policy',
      'reasons',
      'sizeGiB',
      'usage',
      'flags',
    ]);
  });

  it('puts one decision on each line', () => {
    const lines = renderPlanJson(PLAN).split('\n');

    expect(lines.filter((line) => line.includes('"snapshotId"'))).toHaveLength(DECISIONS.length);
  });

  it('writes empty lists as []', () => {
    const empty: Plan = { ...PLAN, decisions: [], staleDisks: [], warnings: [] };

    expect(JSON.parse(renderPlanJson(empty))).toMatchObject({
      decisions: [],
      staleDisks: [],
      warnings: [],
    });
  });

  it('carries a refused guard with its code and reason', () => {
    const json = JSON.parse(renderPlanJson(REFUSED)) as { guard: unknown };

    expect(json.guard).toEqual({
      ok: false,
      reason: '1 deletions planned, above safety.maxDeletionsPerRun 0',
      code: 'GUARD_MAX_DELETIONS',
    });
  });
});

describe('writePlanJson', () => {
  it('streams exactly what renderPlanJson returns, also for many decisions', async () => {
    const many = Array.from({ length: 5000 }, (_, n) => decision({ snapshotId: `s-${n}` }));
    const plan: Plan = { ...PLAN, decisions: many };
    const out = collect();

    await writePlanJson(plan, out);

    expect(out.text()).toBe(renderPlanJson(plan));
    expect(JSON.parse(out.text()).decisions).toHaveLength(5000);
  });
});

describe('renderPlanTable', () => {
  const table = renderPlanTable(PLAN);
  const lines = table.split('\n');

  it('groups regions and disks in name order, newest snapshot first', () => {
    const order = [
      'cn-beijing',
      'disk d-bj',
      's-beijing',
      'cn-hangzhou',
      '(no source disk)',
      's-broken',
      'disk d-gone',
      's-gone-1',
      'disk d-live',
      's-live-new',
      's-live-old',
    ].map((text) => lines.findIndex((line) => line.includes(text)));

    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('marks the disks of orphaned snapshots', () => {
    const heading = lines.find((line) => line.includes('disk d-gone'));

    expect(heading).toContain('ORPHAN');
    expect(lines.find((line) => line.includes('disk d-live'))).not.toContain('ORPHAN');
  });

  it('shows time, id, action, policy and reasons on one line per snapshot', () => {
    const row = lines.find((line) => line.includes('s-live-old')) ?? '';

    expect(row).toMatch(
      /^ {4}2026-10-01 03:00:00 +s-live-old +delete +default +not kept by last 3, daily 7$/,
    );
    expect(lines.find((line) => line.includes('s-beijing'))).toMatch(/keep +- +no policy/);
    const broken = lines.findIndex((line) => line.includes('s-broken'));
    expect(lines.slice(broken, broken + 2).join(' ')).toMatch(/CreationTime .*\[unreadable\]/);
  });

  it('lists stale disks and warnings', () => {
    expect(table).toContain('Stale disks');
    expect(table).toMatch(/disk d-live +policy default: newest snapshot 2026-11-30T03:00:00Z/);
    expect(table).toContain('  - 1 item(s) in inventory.json have no SnapshotId');
  });

  it('ends with the totals and the guard verdict', () => {
    const totals = table.slice(table.indexOf('Totals\n'));

    expect(totals).toMatch(/snapshots +5\n/);
    expect(totals).toMatch(/to delete +1\n/);
    expect(totals).toMatch(/to park +1\n/);
    expect(totals).toMatch(/kept +3\n/);
    expect(totals).toMatch(/GiB to be reclaimed +40\n/);
    expect(totals).toMatch(/unreadable +1\n/);
    expect(totals).toMatch(/stuck +0\n/);
    expect(totals).toMatch(/orphans +1\n/);
    expect(totals).toMatch(/stale disks +1\n/);
    expect(totals).toMatch(/guard +ok\n$/);
  });

  it('says a refused guard loudly, with its code and reason', () => {
    expect(renderPlanTable(REFUSED)).toMatch(
      /guard +REFUSED GUARD_MAX_DELETIONS: 1 deletions planned, above .* \(nothing would be deleted\)\n$/,
    );
  });

  it('keeps within the width by wrapping reasons under their column', () => {
    const long = decision({
      snapshotId: 's-long',
      reasons: Array.from({ length: 8 }, (_, n) => `a fairly long reason number ${n}`),
    });
    const narrow = renderPlanTable({ ...PLAN, decisions: [long] }, { width: 90 });
    const rows = narrow.split('\n');
    const first = rows.findIndex((line) => line.includes('s-long'));
    const reasonsAt = (rows[first] ?? '').indexOf('a fairly');

    expect(rows.slice(first, first + 4).every((line) => line.length <= 90)).toBe(true);
    expect(rows[first + 1]?.slice(0, reasonsAt).trim()).toBe('');
    expect(rows[first + 1]?.slice(reasonsAt)).toMatch(/^\S/);
  });

  it('uses no colour unless asked, and colours only actions and the verdict when asked', () => {
    const ansi = new RegExp(String.fromCharCode(27));

    expect(table).not.toMatch(ansi);
    const coloured = renderPlanTable(REFUSED, { color: true });
    expect(coloured).toMatch(ansi);
    expect(coloured).toContain('\u001b[31mdelete\u001b[0m');
  });

  it('writes the same text to a stream', async () => {
    const out = collect();

    await writePlanTable(PLAN, out);

    expect(out.text()).toBe(table);
  });
});
