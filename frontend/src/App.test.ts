import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from './App.svelte';
import * as api from './lib/api';
import { onNavigate, onRecords, onSecurity, onStatus } from './lib/events';
import type { SecurityReport, Status } from './lib/api';
import {
  makeConversationDetail,
  makeConversationRow,
  makeReport,
  makeRequestDetail,
  makeRequestRow,
  makeStatus,
  makeStorage,
  makeUsage,
} from './testing/fixtures';

vi.mock('./lib/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('./lib/api')>();
  return {
    ApiError: real.ApiError,
    ready: vi.fn(),
    status: vi.fn(),
    setProxyRunning: vi.fn(),
    copyClientKey: vi.fn(),
    copyConnectLines: vi.fn(),
    securityChecklist: vi.fn(),
    recheckSecurity: vi.fn(),
    applySecurityFix: vi.fn(),
    listRequests: vi.fn(),
    requestDetail: vi.fn(),
    listConversations: vi.fn(),
    conversation: vi.fn(),
    usageSummary: vi.fn(),
    storageInfo: vi.fn(),
  };
});
vi.mock('./lib/events', () => ({
  onStatus: vi.fn(),
  onSecurity: vi.fn(),
  onNavigate: vi.fn(),
  onRecords: vi.fn(() => () => {}),
}));

function setUp() {
  let emit: (s: Status) => void = () => {};
  const unsubscribe = vi.fn();
  vi.mocked(onStatus).mockImplementation((handler) => {
    emit = handler;
    return unsubscribe;
  });
  let emitSecurity: (r: SecurityReport) => void = () => {};
  vi.mocked(onSecurity).mockImplementation((handler) => {
    emitSecurity = handler;
    return () => {};
  });
  let navigate: (view: string) => void = () => {};
  vi.mocked(onNavigate).mockImplementation((handler) => {
    navigate = handler;
    return () => {};
  });
  vi.mocked(api.ready).mockResolvedValue('1.2.3');
  vi.mocked(api.status).mockResolvedValue(makeStatus({ running: true }));
  vi.mocked(api.securityChecklist).mockResolvedValue(makeReport());
  vi.mocked(onRecords).mockImplementation(() => () => {});
  vi.mocked(api.listRequests).mockResolvedValue({ requests: [makeRequestRow()], next: '' });
  vi.mocked(api.listConversations).mockResolvedValue({ conversations: [makeConversationRow()], next: '' });
  vi.mocked(api.conversation).mockResolvedValue(makeConversationDetail());
  vi.mocked(api.usageSummary).mockResolvedValue(makeUsage());
  vi.mocked(api.storageInfo).mockResolvedValue(makeStorage());
  return {
    emit: (s: Status) => emit(s),
    emitSecurity: (r: SecurityReport) => emitSecurity(r),
    navigate: (v: string) => navigate(v),
    unsubscribe,
  };
}

describe('App', () => {
  it('calls Ready once on mount, then loads the status', async () => {
    setUp();
    render(App);

    expect(await screen.findByText('Running')).toBeInTheDocument();
    expect(api.ready).toHaveBeenCalledTimes(1);
    expect(api.status).toHaveBeenCalledTimes(1);
    expect(vi.mocked(api.ready).mock.invocationCallOrder[0]).toBeLessThan(
      vi.mocked(api.status).mock.invocationCallOrder[0],
    );
    expect(screen.getByText('Version 1.2.3')).toBeInTheDocument();
  });

  it('shows the app shell: Nexus, Home active, every view ready', async () => {
    setUp();
    render(App);

    expect(screen.getByText('Nexus')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    for (const name of [/Requests/, /Conversations/, /Security/]) {
      expect(screen.getByRole('button', { name })).toBeEnabled();
    }
    expect(screen.queryByText('Soon')).not.toBeInTheDocument();
    await screen.findByText('Running');
  });

  it('opens Requests, then a request\'s conversation in the Conversations view', async () => {
    setUp();
    vi.mocked(api.requestDetail).mockResolvedValue(makeRequestDetail());
    render(App);
    await screen.findByText('Running');

    await userEvent.click(screen.getByRole('button', { name: 'Requests' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Requests' })).toBeInTheDocument();
    await userEvent.click(within(await screen.findByRole('listbox')).getByRole('option'));
    await userEvent.click(await screen.findByRole('button', { name: /Open its conversation/ }));

    expect(screen.getByRole('heading', { level: 1, name: 'Conversations' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Conversations' })).toHaveAttribute('aria-current', 'page');
    expect(api.conversation).toHaveBeenCalledWith('conv-1');
  });

  it('badges Security with the items that need attention', async () => {
    const { emitSecurity } = setUp();
    render(App);

    const nav = screen.getByRole('button', { name: /Security/ });
    await waitFor(() => expect(nav).toHaveTextContent('3 need attention'));
    emitSecurity(makeReport({ items: [] }));
    await waitFor(() => expect(nav).not.toHaveTextContent('need attention'));
  });

  it('opens the Security view from the sidebar and loads the checklist', async () => {
    setUp();
    render(App);
    await screen.findByText('Running');

    await userEvent.click(screen.getByRole('button', { name: /Security/ }));

    expect(screen.getByRole('heading', { level: 1, name: 'Security' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Security/ })).toHaveAttribute('aria-current', 'page');
    expect(await screen.findByText('The proxy listens on loopback only')).toBeInTheDocument();
    expect(api.securityChecklist).toHaveBeenCalledTimes(2); // at start (badge) and on opening

    await userEvent.click(screen.getByRole('button', { name: 'Home' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
  });

  it('shows the Security view when Go asks (a notification was clicked)', async () => {
    const { navigate } = setUp();
    render(App);
    await screen.findByText('Running');

    navigate('security');

    expect(await screen.findByRole('heading', { level: 1, name: 'Security' })).toBeInTheDocument();
    navigate('nonsense');
    expect(screen.getByRole('heading', { level: 1, name: 'Security' })).toBeInTheDocument();
  });

  it('still loads the status when Ready fails', async () => {
    setUp();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.mocked(api.ready).mockRejectedValue(new api.ApiError('Ready', 'nope'));
    render(App);

    expect(await screen.findByText('Running')).toBeInTheDocument();
  });

  it('shows the error when Status() rejects', async () => {
    setUp();
    vi.mocked(api.status).mockRejectedValue(new api.ApiError('Status', 'store unavailable'));
    render(App);

    expect(await screen.findByText('store unavailable')).toBeInTheDocument();
    expect(screen.getByText('Could not load the proxy status')).toBeInTheDocument();
  });

  it('follows "status" events', async () => {
    const { emit } = setUp();
    render(App);
    await screen.findByText('Running');

    emit(makeStatus({ running: false }));

    await waitFor(() => expect(screen.getByText('Stopped')).toBeInTheDocument());
  });

  it('toggles the proxy through the API', async () => {
    setUp();
    vi.mocked(api.setProxyRunning).mockResolvedValue(makeStatus({ running: false }));
    render(App);
    await screen.findByText('Running');

    await userEvent.click(screen.getByRole('switch', { name: 'Proxy' }));

    expect(api.setProxyRunning).toHaveBeenCalledExactlyOnceWith(false);
    await waitFor(() => expect(screen.getByText('Stopped')).toBeInTheDocument());
  });

  it('copies the client key through the API', async () => {
    setUp();
    vi.mocked(api.copyClientKey).mockResolvedValue(undefined);
    render(App);
    await screen.findByText('Running');

    const button = screen.getByRole('button', { name: 'Copy client key' });
    await userEvent.click(button);

    expect(api.copyClientKey).toHaveBeenCalledTimes(1);
    expect(button).toHaveTextContent('Copied');
  });

  it('unsubscribes from events when unmounted', async () => {
    const { unsubscribe } = setUp();
    const { unmount } = render(App);
    await screen.findByText('Running');

    unmount();

    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });
});
