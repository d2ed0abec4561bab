import { describe, expect, it, vi } from 'vitest';
import { RequestsStore } from './requests.svelte';
import * as api from '../lib/api';
import { onRecords } from '../lib/events';
import { makeRequestRow } from '../testing/fixtures';

vi.mock('../lib/api', async (orig) => {
  const real = await orig<typeof import('../lib/api')>();
  return { ApiError: real.ApiError, listRequests: vi.fn(), requestDetail: vi.fn(), usageSummary: vi.fn(), storageInfo: vi.fn() };
});
vi.mock('../lib/events', () => ({ onRecords: vi.fn() }));

// With more rows loaded than a live refresh reads again (500), new records arriving push the
// loaded rows down; paging on to the end still shows every request once.
describe('requests: live refresh past 500 loaded rows', () => {
  it('loses and repeats no row', async () => {
    let records = () => {};
    vi.mocked(onRecords).mockImplementation((h) => {
      records = () => h(0);
      return () => {};
    });
    const db: string[] = []; // newest first; a cursor is the id of the last row of a page
    for (let i = 0; i < 1000; i++) db.unshift(`r${String(i).padStart(4, '0')}`);
    vi.mocked(api.listRequests).mockImplementation(async (q = {}) => {
      const start = q.cursor ? db.indexOf(q.cursor) + 1 : 0;
      const limit = q.limit || 100;
      const page = db.slice(start, start + limit);
      return { requests: page.map((id) => makeRequestRow({ id })), next: page.length === limit ? page[page.length - 1] : '' };
    });
    vi.mocked(api.usageSummary).mockRejectedValue(new Error('not in this test'));
    vi.mocked(api.storageInfo).mockRejectedValue(new Error('not in this test'));
    vi.useFakeTimers();
    try {
      const s = new RequestsStore();
      await s.refresh();
      while (s.rows.length < 700) await s.loadMore();
      for (let i = 1000; i < 1010; i++) db.unshift(`r${i}`);
      records();
      await vi.advanceTimersByTimeAsync(400);
      while (s.hasMore) await s.loadMore();
      expect(s.rows.map((r) => r.id)).toEqual(db);
    } finally {
      vi.useRealTimers();
    }
  });
});
