import { describe, expect, it } from 'vitest';
import { mergeLive } from './livemerge';

const rows = (...ids: string[]) => ids.map((id) => ({ id }));
const ids = (r: { id: string }[]) => r.map((x) => x.id).join(' ');

describe('mergeLive', () => {
  it('keeps the loaded rows past the fresh page when new rows pushed them down', () => {
    // 6 loaded (f..a, newest first), 2 new; the fresh page holds the newest 5.
    const m = mergeLive(rows('f', 'e', 'd', 'c', 'b', 'a'), 'a', rows('h', 'g', 'f', 'e', 'd'), 'd');
    expect(ids(m.rows)).toBe('h g f e d c b a');
    expect(m.next).toBe('a');
  });

  it('shows a row that moved up once, where the fresh page has it', () => {
    const m = mergeLive(rows('e', 'd', 'c', 'b', 'a'), 'a', rows('b', 'e', 'd'), 'd');
    expect(ids(m.rows)).toBe('b e d c a');
  });

  it('pages on from the fresh page when it covers every loaded row', () => {
    const m = mergeLive(rows('b', 'a'), 'a', rows('c', 'b', 'a'), 'z');
    expect(ids(m.rows)).toBe('c b a');
    expect(m.next).toBe('z');
  });

  it('pages on from the fresh page when its last row was never loaded', () => {
    const m = mergeLive(rows('b', 'a'), 'a', rows('e', 'd', 'c'), 'c');
    expect(ids(m.rows)).toBe('e d c');
    expect(m.next).toBe('c');
  });

  it('empties with an empty fresh page', () => {
    const m = mergeLive(rows('b', 'a'), 'a', [], '');
    expect(m.rows).toEqual([]);
    expect(m.next).toBe('');
  });
});
