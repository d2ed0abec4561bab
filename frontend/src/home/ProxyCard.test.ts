import type { ComponentProps } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ProxyCard from './ProxyCard.svelte';

function props(overrides: Partial<ComponentProps<typeof ProxyCard>> = {}) {
  return {
    running: true,
    address: 'http://127.0.0.1:3731',
    requestCount: 1234,
    error: '',
    busy: false,
    onToggle: vi.fn(),
    ...overrides,
  };
}

describe('ProxyCard', () => {
  it('shows a running proxy with its address and request count', () => {
    render(ProxyCard, props());

    expect(screen.getByRole('heading', { name: 'Proxy' })).toBeInTheDocument();
    expect(screen.getByText('Running')).toBeInTheDocument();
    expect(screen.queryByText('Stopped')).not.toBeInTheDocument();
    expect(screen.getByText('Listening on')).toBeInTheDocument();
    expect(screen.getByText('http://127.0.0.1:3731')).toBeInTheDocument();
    expect(screen.getByTestId('request-count')).toHaveTextContent(/^1[,.\s\u202f]?234$/);
    expect(screen.getByRole('switch', { name: 'Proxy' })).toHaveAttribute('aria-checked', 'true');
  });

  it('shows a stopped proxy', () => {
    render(ProxyCard, props({ running: false }));

    expect(screen.getByText('Stopped')).toBeInTheDocument();
    expect(screen.queryByText('Running')).not.toBeInTheDocument();
    expect(screen.getByText('Will listen on')).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'Proxy' })).toHaveAttribute('aria-checked', 'false');
  });

  it('asks to stop when the switch of a running proxy is clicked', async () => {
    const onToggle = vi.fn();
    render(ProxyCard, props({ running: true, onToggle }));

    await userEvent.click(screen.getByRole('switch', { name: 'Proxy' }));

    expect(onToggle).toHaveBeenCalledExactlyOnceWith(false);
  });

  it('asks to start when the switch of a stopped proxy is clicked', async () => {
    const onToggle = vi.fn();
    render(ProxyCard, props({ running: false, onToggle }));

    await userEvent.click(screen.getByRole('switch', { name: 'Proxy' }));

    expect(onToggle).toHaveBeenCalledExactlyOnceWith(true);
  });

  it('disables the switch while busy and says what is happening', async () => {
    const onToggle = vi.fn();
    render(ProxyCard, props({ running: false, busy: true, onToggle }));

    const toggle = screen.getByRole('switch', { name: 'Proxy' });
    expect(toggle).toBeDisabled();
    expect(screen.getByText('Starting…')).toBeInTheDocument();
    await userEvent.click(toggle);
    expect(onToggle).not.toHaveBeenCalled();
  });

  it('shows the error', () => {
    render(ProxyCard, props({ running: false, error: 'address already in use' }));

    expect(screen.getByRole('alert')).toHaveTextContent('address already in use');
  });

  it('shows no error box when there is none', () => {
    render(ProxyCard, props());

    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
