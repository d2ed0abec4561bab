import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ConnectCard from './ConnectCard.svelte';
import { makeStatus } from '../testing/fixtures';

const options = makeStatus().connect;

describe('ConnectCard', () => {
  it('lists each option with its title, description and masked lines', () => {
    render(ConnectCard, { options, onCopy: vi.fn() });

    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(2);

    const account = within(items[0]);
    expect(account.getByRole('heading', { name: 'With an account in Nexus' })).toBeInTheDocument();
    expect(account.getByText('Requests use the account kept in the keychain.')).toBeInTheDocument();
    const block = items[0].querySelector('pre');
    expect(block?.textContent).toBe(
      'export ANTHROPIC_BASE_URL=http://127.0.0.1:3731\nexport ANTHROPIC_API_KEY=cnp_live_Ab…x9Qz',
    );

    expect(items[1].querySelector('pre')).toHaveTextContent(
      'export ANTHROPIC_CUSTOM_HEADERS="x-nexus-client-key: cnp_live_Ab…x9Qz"',
    );
  });

  it('copies the option clicked, by id, and shows "Copied" on that one only', async () => {
    const onCopy = vi.fn().mockResolvedValue(undefined);
    render(ConnectCard, { options, onCopy });

    const passthrough = screen.getByRole('button', { name: 'Copy Keep your Claude login' });
    const account = screen.getByRole('button', { name: 'Copy With an account in Nexus' });
    await userEvent.click(passthrough);

    expect(onCopy).toHaveBeenCalledExactlyOnceWith('passthrough');
    expect(passthrough).toHaveTextContent('Copied');
    expect(account).not.toHaveTextContent('Copied');
  });

  it('goes back from "Copied" to "Copy" after a while', async () => {
    vi.useFakeTimers();
    try {
      const onCopy = vi.fn().mockResolvedValue(undefined);
      render(ConnectCard, { options, onCopy });
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });

      const button = screen.getByRole('button', { name: 'Copy With an account in Nexus' });
      await user.click(button);
      expect(button).toHaveTextContent('Copied');

      await vi.advanceTimersByTimeAsync(2500);
      expect(button).not.toHaveTextContent('Copied');
      expect(button).toHaveTextContent('Copy');
    } finally {
      vi.useRealTimers();
    }
  });

  it('says so when there are no options', () => {
    render(ConnectCard, { options: [], onCopy: vi.fn() });

    expect(screen.getByText('No connection settings available yet.')).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
