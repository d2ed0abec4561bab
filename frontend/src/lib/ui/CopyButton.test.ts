import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import CopyButton from './CopyButton.svelte';
import { deferred } from '../../testing/fixtures';

describe('CopyButton', () => {
  it('copies once while a copy is in flight, then shows "Copied"', async () => {
    const pending = deferred<void>();
    const onCopy = vi.fn().mockReturnValue(pending.promise);
    render(CopyButton, { label: 'Copy thing', onCopy });

    const button = screen.getByRole('button', { name: 'Copy thing' });
    await userEvent.click(button);
    await userEvent.click(button);
    expect(onCopy).toHaveBeenCalledTimes(1);
    expect(button).toHaveAttribute('aria-busy', 'true');
    expect(button).not.toHaveTextContent('Copied');

    pending.resolve();
    await vi.waitFor(() => expect(button).toHaveTextContent('Copied'));
    expect(button).toHaveAttribute('aria-busy', 'false');
  });

  it('does nothing when disabled', async () => {
    const onCopy = vi.fn();
    render(CopyButton, { label: 'Copy thing', onCopy, disabled: true });

    await userEvent.click(screen.getByRole('button', { name: 'Copy thing' }));

    expect(onCopy).not.toHaveBeenCalled();
  });
});
