import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from './api';
import { ApiError, toSecurityReport, toStatus } from './api';

// Exercises api.ts over the real generated bindings: they call window.go.app.App.<Method>,
// which is what Wails injects into the window, so a fake window.go stands in for Go.
type Bound = Record<string, (...args: unknown[]) => Promise<unknown>>;
const w = window as unknown as { go?: { app: { App: Bound } } };

function fakeGo(methods: Bound): void {
  w.go = { app: { App: methods } };
}

afterEach(() => {
  delete w.go;
});

describe('api', () => {
  it('ready resolves to the version Go returns', async () => {
    const Ready = vi.fn().mockResolvedValue('0.1.0');
    fakeGo({ Ready });

    await expect(api.ready()).resolves.toBe('0.1.0');
    expect(Ready).toHaveBeenCalledTimes(1);
  });

  it('turns a Go error string into an ApiError naming the method', async () => {
    fakeGo({ Status: vi.fn().mockRejectedValue('store unavailable') });

    const err = await api.status().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ op: 'Status', message: 'store unavailable' });
  });

  it('turns a missing Go side into an ApiError too', async () => {
    const err = await api.copyClientKey().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).op).toBe('CopyClientKey');
    expect((err as ApiError).message).not.toBe('');
  });

  it('passes arguments through', async () => {
    const SetProxyRunning = vi.fn().mockResolvedValue({ running: false });
    const CopyConnectLines = vi.fn().mockResolvedValue(undefined);
    fakeGo({ SetProxyRunning, CopyConnectLines });

    await expect(api.setProxyRunning(false)).resolves.toMatchObject({ running: false });
    await api.copyConnectLines('passthrough');

    expect(SetProxyRunning).toHaveBeenCalledWith(false);
    expect(CopyConnectLines).toHaveBeenCalledWith('passthrough');
  });
});

describe('toStatus', () => {
  it('keeps every field Go sends', () => {
    const raw = {
      running: true,
      address: 'http://127.0.0.1:3731',
      port: 3731,
      last_error: 'x',
      client_auth: true,
      client_key_masked: 'cnp_live_Ab…x9Qz',
      keychain_ok: false,
      keychain_message: 'no Secret Service',
      default_account: 'work',
      connect: [{ id: 'account', title: 'A', description: 'd', lines: ['l1', 'l2'] }],
      request_count: 9,
    };

    expect(toStatus(raw)).toEqual(raw);
  });

  it('turns null slices (Go nil) and missing fields into zero values', () => {
    const s = toStatus({ running: true, connect: null });

    expect(s.connect).toEqual([]);
    expect(s.address).toBe('');
    expect(s.request_count).toBe(0);
    expect(s.keychain_ok).toBe(false);
    expect(toStatus({ connect: [{ id: 'account', lines: null }] }).connect[0].lines).toEqual([]);
    expect(toStatus(null).running).toBe(false);
  });
});

describe('security', () => {
  it('passes the fix id to Go and normalises its answer', async () => {
    const ApplySecurityFix = vi.fn().mockResolvedValue({
      message: 'Rotated',
      report: { checked_at: 't', items: [{ id: 'x', status: 'fail', actions: null }] },
    });
    fakeGo({ ApplySecurityFix });

    const r = await api.applySecurityFix('rotate-client-key');

    expect(ApplySecurityFix).toHaveBeenCalledWith('rotate-client-key');
    expect(r.message).toBe('Rotated');
    expect(r.report.items[0]).toEqual({
      id: 'x',
      title: '',
      status: 'fail',
      critical: false,
      evidence: '',
      fix: '',
      actions: [],
      pending: '',
    });
  });

  it('rejects with Go\'s reason when a fix cannot be applied', async () => {
    fakeGo({ ApplySecurityFix: vi.fn().mockRejectedValue('the fix "x" is not offered now') });

    await expect(api.applySecurityFix('x')).rejects.toMatchObject({
      op: 'ApplySecurityFix',
      message: 'the fix "x" is not offered now',
    });
  });

  it('loads and re-runs the checklist', async () => {
    const report = { checked_at: '2026-05-01T12:00:00Z', items: [] };
    fakeGo({ SecurityChecklist: vi.fn().mockResolvedValue(report), RecheckSecurity: vi.fn().mockResolvedValue(report) });

    await expect(api.securityChecklist()).resolves.toEqual(report);
    await expect(api.recheckSecurity()).resolves.toEqual(report);
  });

  it('never shows an unknown status as a pass', () => {
    const r = toSecurityReport({ items: [{ id: 'a', status: 'weird' }, { id: 'b', status: 'pass' }], checked_at: 5 });

    expect(r.items.map((i) => i.status)).toEqual(['warn', 'pass']);
    expect(r.checked_at).toBe('');
    expect(toSecurityReport(null)).toEqual({ checked_at: '', items: [] });
  });
});
