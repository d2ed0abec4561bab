import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import SecurityView from './SecurityView.svelte';
import type { SecurityReport } from '../lib/api';
import { makeItem, makeReport } from '../testing/fixtures';
import type { FixOutcome } from './security.svelte';

function props(report: SecurityReport | null, overrides: Record<string, unknown> = {}) {
  return {
    report,
    loading: false,
    error: '',
    checking: false,
    applying: '',
    outcome: (() => undefined) as (id: string) => FixOutcome | undefined,
    onRecheck: vi.fn(),
    onFix: vi.fn(),
    onRetry: vi.fn(),
    ...overrides,
  };
}

/** The item card titled `title`. */
function card(title: string): HTMLElement {
  return screen.getByRole('article', { name: title });
}

describe('SecurityView', () => {
  it('shows a loading state before the first report', () => {
    render(SecurityView, props(null, { loading: true }));

    expect(screen.getByRole('status')).toHaveTextContent('Running the security checklist…');
    expect(screen.getByRole('button', { name: /Check again/ })).toBeDisabled();
  });

  it('shows the error and retries when the checklist cannot be loaded', async () => {
    const onRetry = vi.fn();
    render(SecurityView, props(null, { error: 'store unavailable', onRetry }));

    expect(screen.getByRole('alert')).toHaveTextContent('Could not run the security checklist');
    expect(screen.getByRole('alert')).toHaveTextContent('store unavailable');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('lists failures first, then warnings, then what passes, with counts', () => {
    render(SecurityView, props(makeReport()));

    const attention = screen.getByRole('region', { name: 'Needs attention' });
    const titles = within(attention)
      .getAllByRole('heading', { level: 3 })
      .map((h) => h.textContent);
    expect(titles).toEqual([
      'The proxy listens on loopback only',
      'No plaintext credential files',
      'Data files are readable by you only',
    ]);
    const passing = screen.getByRole('region', { name: 'Passing' });
    expect(within(passing).getByText('Clients must present the client key')).toBeInTheDocument();

    const summary = screen.getByRole('region', { name: 'Summary' });
    expect(summary).toHaveTextContent('1failing');
    expect(summary).toHaveTextContent('2warnings');
    expect(summary).toHaveTextContent('2passing');
    expect(summary).toHaveTextContent('A critical check fails');
  });

  it('shows each item with its status, evidence and fix', () => {
    render(SecurityView, props(makeReport()));

    const item = card('The proxy listens on loopback only');
    expect(item).toHaveTextContent('Critical');
    expect(item).toHaveTextContent('Fail');
    expect(item).toHaveTextContent('0.0.0.0:8080');
    expect(item).toHaveTextContent('Fixstop the process listening there');
    expect(card('Clients must present the client key')).toHaveTextContent('ENABLE_CLIENT_AUTH=true');
  });

  it('shows `backquoted` commands as code', () => {
    render(SecurityView, props(makeReport()));

    const code = within(card('No plaintext credential files')).getByText(
      'nexus credentials import /home/me/creds --delete-after-import',
    );
    expect(code.tagName).toBe('CODE');
  });

  it('says so when everything passes', () => {
    render(SecurityView, props(makeReport({ items: [makeItem({ title: 'Fine' })] })));

    expect(screen.getByText('Everything checks out.')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Needs attention' })).not.toBeInTheDocument();
  });

  it('applies a fix that needs no confirmation at once', async () => {
    const p = props(makeReport());
    render(SecurityView, p);

    await userEvent.click(
      within(card('Data files are readable by you only')).getByRole('button', {
        name: 'Make them private (0700 and 0600)',
      }),
    );

    expect(p.onFix).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ id: 'data-file-modes' }),
      'tighten-data-files',
    );
  });

  it('asks before a fix that cannot be undone, and can be cancelled', async () => {
    const p = props(makeReport());
    render(SecurityView, p);
    const item = card('No plaintext credential files');

    await userEvent.click(within(item).getByRole('button', { name: 'Delete 1 imported file(s)' }));
    const confirm = within(item).getByRole('group', { name: /Confirm/ });
    expect(confirm).toHaveTextContent('Delete work.credentials.json?');
    expect(p.onFix).not.toHaveBeenCalled();

    await userEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(within(item).queryByRole('group')).not.toBeInTheDocument();
    expect(p.onFix).not.toHaveBeenCalled();

    await userEvent.click(within(item).getByRole('button', { name: 'Delete 1 imported file(s)' }));
    await userEvent.click(
      within(within(item).getByRole('group')).getByRole('button', { name: 'Delete 1 imported file(s)' }),
    );
    expect(p.onFix).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ id: 'legacy-credential-files' }),
      'delete-imported-credential-files',
    );
  });

  it('disables every fix while one is applied, and shows its outcome', () => {
    render(
      SecurityView,
      props(makeReport(), {
        applying: 'tighten-data-files',
        outcome: (id: string) =>
          id === 'data-file-modes' ? { ok: false, message: 'permission denied' } : undefined,
      }),
    );

    const item = card('Data files are readable by you only');
    expect(within(item).getByRole('button', { name: 'Applying…' })).toBeDisabled();
    expect(within(card('No plaintext credential files')).getByRole('button')).toBeDisabled();
    expect(within(item).getByRole('alert')).toHaveTextContent('permission denied');
  });

  it('shows a saved change that waits for a restart', () => {
    const report = makeReport({
      items: [makeItem({ title: 'Stored bodies', pending: 'Saved in the settings: storing bodies from the next start.' })],
    });
    render(SecurityView, props(report));

    expect(screen.getByRole('note')).toHaveTextContent('storing bodies from the next start');
  });

  it('checks again on request, and shows when it last ran', async () => {
    const p = props(makeReport());
    render(SecurityView, p);

    expect(screen.getByText(/^Checked at /)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Check again/ }));
    expect(p.onRecheck).toHaveBeenCalledTimes(1);
  });

  it('keeps the last report when a re-run fails', () => {
    render(SecurityView, props(makeReport(), { error: 'database is locked' }));

    expect(screen.getByRole('alert')).toHaveTextContent('database is locked');
    expect(screen.getByRole('region', { name: 'Passing' })).toBeInTheDocument();
  });
});
