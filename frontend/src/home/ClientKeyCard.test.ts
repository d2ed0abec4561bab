import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ClientKeyCard from './ClientKeyCard.svelte';

const masked = 'cnp_live_Ab…x9Qz';

describe('ClientKeyCard', () => {
  it('shows the masked key and the account', () => {
    render(ClientKeyCard, { masked, clientAuth: true, defaultAccount: 'work', onCopy: vi.fn() });

    expect(screen.getByText(masked)).toBeInTheDocument();
    expect(screen.getByText('work')).toBeInTheDocument();
    expect(screen.getByText('Required')).toBeInTheDocument();
    expect(screen.queryByRole('note')).not.toBeInTheDocument();
  });

  it('copies through the callback and shows "Copied"', async () => {
    const onCopy = vi.fn().mockResolvedValue(undefined);
    render(ClientKeyCard, { masked, clientAuth: true, defaultAccount: 'work', onCopy });

    const button = screen.getByRole('button', { name: 'Copy client key' });
    expect(button).toHaveTextContent('Copy');
    expect(button).not.toHaveTextContent('Copied');
    await userEvent.click(button);

    expect(onCopy).toHaveBeenCalledTimes(1);
    expect(button).toHaveTextContent('Copied');
    expect(screen.getByRole('status')).toHaveTextContent('Copied to the clipboard');
  });

  it('shows the failure when the copy fails', async () => {
    const onCopy = vi.fn().mockRejectedValue(new Error('clipboard unavailable'));
    render(ClientKeyCard, { masked, clientAuth: true, defaultAccount: 'work', onCopy });

    const button = screen.getByRole('button', { name: 'Copy client key' });
    await userEvent.click(button);

    expect(button).toHaveTextContent('Copy failed');
    expect(button).not.toHaveTextContent('Copied');
    expect(screen.getByRole('status')).toHaveTextContent('clipboard unavailable');
  });

  it('warns when client authentication is off', () => {
    render(ClientKeyCard, { masked, clientAuth: false, defaultAccount: '', onCopy: vi.fn() });

    expect(screen.getByRole('note')).toHaveTextContent('Client authentication is off');
    expect(screen.getByText(/own credentials pass through/)).toBeInTheDocument();
  });

  it('cannot copy when there is no key', () => {
    render(ClientKeyCard, { masked: '', clientAuth: true, defaultAccount: '', onCopy: vi.fn() });

    expect(screen.getByText('No client key yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy client key' })).toBeDisabled();
  });
});
