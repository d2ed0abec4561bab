import { afterEach, describe, expect, it, vi } from 'vitest';
import { when } from './format';

describe('when', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('dates a request of an earlier year by the local calendar', () => {
    vi.stubEnv('TZ', 'America/New_York');
    // 20:00 on New Year's Eve in New York is already 1 January in UTC.
    expect(when('2026-01-01T01:00:00Z', new Date('2026-03-01T12:00:00Z'))).toBe('2025-12-31');
  });
});
