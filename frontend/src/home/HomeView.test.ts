import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import HomeView from './HomeView.svelte';
import type { Status } from '../lib/api';
import { makeStatus } from '../testing/fixtures';

function props(status: Status | null, overrides: Record<string, unknown> = {}) {
  return {
    status,
    loading: false,
    error: '',
    busy: false,
    actionError: '',
    onToggle: vi.fn(),
    onCopyKey: vi.fn().mockResolvedValue(undefined),
    onCopyConnect: vi.fn().mockResolvedValue(undefined),
    onRetry: vi.fn(),
    ...overrides,
  };
}

describe('HomeView', () => {
  it('shows a loading state before the first status', () => {
    render(HomeView, props(null, { loading: true }));

    expect(screen.getByRole('status')).toHaveTextContent('Loading status…');
    expect(screen.queryByRole('switch')).not.toBeInTheDocument();
  });

  it('shows the error and retries when the status cannot be loaded', async () => {
    const onRetry = vi.fn();
    render(HomeView, props(null, { error: 'database is locked', onRetry }));

    expect(screen.getByRole('alert')).toHaveTextContent('Could not load the proxy status');
    expect(screen.getByRole('alert')).toHaveTextContent('database is locked');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('shows the cards for a status', () => {
    render(HomeView, props(makeStatus()));

    expect(screen.getByRole('heading', { name: 'Proxy' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Client key' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Connect Claude Code' })).toBeInTheDocument();
    expect(screen.queryByText('No system keychain available')).not.toBeInTheDocument();
  });

  it('warns when no keychain is usable', () => {
    render(
      HomeView,
      props(makeStatus({ keychain_ok: false, keychain_message: 'Install gnome-keyring.' })),
    );

    expect(screen.getByText('No system keychain available')).toBeInTheDocument();
    expect(screen.getByText('Install gnome-keyring.')).toBeInTheDocument();
  });

  it('prefers the failed action over the last error in the proxy card', () => {
    render(
      HomeView,
      props(makeStatus({ running: false, last_error: 'old' }), { actionError: 'port in use' }),
    );

    expect(screen.getByText('port in use')).toBeInTheDocument();
    expect(screen.queryByText('old')).not.toBeInTheDocument();
  });

  it('wires the copy callbacks', async () => {
    const p = props(makeStatus());
    render(HomeView, p);

    await userEvent.click(screen.getByRole('button', { name: 'Copy client key' }));
    await userEvent.click(screen.getByRole('button', { name: 'Copy With an account in Nexus' }));

    expect(p.onCopyKey).toHaveBeenCalledTimes(1);
    expect(p.onCopyConnect).toHaveBeenCalledExactlyOnceWith('account');
  });
});
