import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type SecurityReport } from '../lib/api';
import * as api from '../lib/api';
import { onSecurity } from '../lib/events';
import { SecurityStore } from './security.svelte';
import { deferred, makeItem, makeReport } from '../testing/fixtures';

// The store talks to Go only through api.ts and events.ts; fake both seams.
vi.mock('../lib/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/api')>();
  return {
    ApiError: real.ApiError,
    securityChecklist: vi.fn(),
    recheckSecurity: vi.fn(),
    applySecurityFix: vi.fn(),
  };
});
vi.mock('../lib/events', () => ({ onSecurity: vi.fn() }));

let emit: (r: SecurityReport) => void;
let unsubscribe: ReturnType<typeof vi.fn>;

beforeEach(() => {
  unsubscribe = vi.fn();
  vi.mocked(onSecurity).mockImplementation((handler) => {
    emit = handler;
    return unsubscribe as () => void;
  });
});

describe('SecurityStore', () => {
  it('loads the report and counts what needs attention', async () => {
    vi.mocked(api.securityChecklist).mockResolvedValue(makeReport());
    const store = new SecurityStore();
    expect(store.report).toBeNull();
    expect(store.attention).toBe(0);

    await store.refresh();

    expect(store.report?.items).toHaveLength(5);
    expect(store.attention).toBe(3);
    expect(store.criticalFailing).toBe(true);
  });

  it('follows "security" events', () => {
    const store = new SecurityStore();
    emit(makeReport({ items: [makeItem({ status: 'warn' })] }));

    expect(store.attention).toBe(1);
    expect(store.criticalFailing).toBe(false);
    expect(store.severity).toBe('warn');
    emit(makeReport({ items: [makeItem({ status: 'fail' })] }));
    expect(store.severity).toBe('fail');
    emit(makeReport());
    expect(store.severity).toBe('critical');
  });

  it('drops a reply older than an event received meanwhile', async () => {
    const reply = deferred<SecurityReport>();
    vi.mocked(api.recheckSecurity).mockReturnValue(reply.promise);
    const store = new SecurityStore();

    const done = store.recheck();
    expect(store.checking).toBe(true);
    emit(makeReport({ checked_at: '2026-05-01T12:05:00Z' }));
    reply.resolve(makeReport({ checked_at: '2026-05-01T12:04:00Z' }));
    await done;

    expect(store.checking).toBe(false);
    expect(store.report?.checked_at).toBe('2026-05-01T12:05:00Z');
  });

  it('keeps a failed load as an error, and never throws', async () => {
    vi.mocked(api.securityChecklist).mockRejectedValue(new ApiError('SecurityChecklist', 'store down'));
    const store = new SecurityStore();

    await expect(store.refresh()).resolves.toBeUndefined();

    expect(store.error).toBe('store down');
    expect(store.loading).toBe(false);
  });

  it('applies a fix, takes the report after it, and keeps its message by item', async () => {
    const item = makeReport().items[3];
    const after = makeReport({ items: [makeItem({ id: 'data-file-modes' })] });
    const reply = deferred<api.FixResult>();
    vi.mocked(api.applySecurityFix).mockReturnValue(reply.promise);
    const store = new SecurityStore();

    const done = store.applyFix(item, 'tighten-data-files');
    expect(store.applying).toBe('tighten-data-files');
    await store.applyFix(item, 'tighten-data-files'); // ignored while one runs
    reply.resolve({ message: 'Changed /data/nexus.db 0644 → 0600.', report: after });
    await done;

    expect(api.applySecurityFix).toHaveBeenCalledExactlyOnceWith('tighten-data-files');
    expect(store.applying).toBe('');
    expect(store.report).toEqual(after);
    expect(store.outcome('data-file-modes')).toEqual({ ok: true, message: 'Changed /data/nexus.db 0644 → 0600.' });
  });

  it('keeps why a fix failed, and reloads the report', async () => {
    vi.mocked(api.applySecurityFix).mockRejectedValue(
      new ApiError('ApplySecurityFix', 'the fix "x" is not offered now'),
    );
    vi.mocked(api.securityChecklist).mockResolvedValue(makeReport());
    const store = new SecurityStore();

    await store.applyFix(makeItem({ id: 'data-file-modes' }), 'x');

    expect(store.outcome('data-file-modes')).toEqual({ ok: false, message: 'the fix "x" is not offered now' });
    expect(api.securityChecklist).toHaveBeenCalledTimes(1);
  });

  it('destroy unsubscribes once', () => {
    const store = new SecurityStore();
    store.destroy();
    store.destroy();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });
});
