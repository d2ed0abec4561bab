import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import RequestsView from './RequestsView.svelte';
import { RequestsStore } from './requests.svelte';
import * as api from '../lib/api';
import { onRecords } from '../lib/events';
import {
  makeMessage,
  makeRequestDetail,
  makeRequestRow,
  makeStorage,
  makeUsage,
} from '../testing/fixtures';

vi.mock('../lib/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/api')>();
  return {
    ApiError: real.ApiError,
    listRequests: vi.fn(),
    requestDetail: vi.fn(),
    usageSummary: vi.fn(),
    storageInfo: vi.fn(),
  };
});
vi.mock('../lib/events', () => ({ onRecords: vi.fn() }));

function setUp(rows = [makeRequestRow()], next = '', fail = '') {
  let records: () => void = () => {};
  vi.mocked(onRecords).mockImplementation((handler) => {
    records = () => handler(0);
    return () => {};
  });
  vi.mocked(api.listRequests).mockResolvedValue({ requests: rows, next });
  if (fail) vi.mocked(api.listRequests).mockRejectedValueOnce(new api.ApiError('ListRequests', fail));
  vi.mocked(api.requestDetail).mockResolvedValue(makeRequestDetail());
  vi.mocked(api.usageSummary).mockResolvedValue(makeUsage());
  vi.mocked(api.storageInfo).mockResolvedValue(makeStorage());
  const store = new RequestsStore();
  const onOpenConversation = vi.fn();
  render(RequestsView, { store, onOpenConversation });
  return { store, onOpenConversation, records: () => records() };
}

const list = () => screen.findByRole('listbox', { name: 'Recorded requests' });

describe('RequestsView', () => {
  it('lists requests densely: time, status, model, kind, tokens, cost, duration', async () => {
    setUp([
      makeRequestRow(),
      makeRequestRow({ id: 'req-2', status: 529, kind: 'subagent', cost_usd: 0, duration_ms: 800 }),
      makeRequestRow({ id: 'req-3', finished: false, status: 0 }),
    ]);

    const rows = within(await list()).getAllByRole('option');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('sonnet-4-5');
    expect(rows[0]).toHaveTextContent('200');
    expect(rows[0]).toHaveTextContent('20.1k / 345'); // input + cache read + cache write / output
    expect(rows[0]).toHaveTextContent('$0.012');
    expect(rows[0]).toHaveTextContent('2.40 s');
    expect(rows[1]).toHaveTextContent('529');
    expect(rows[1]).toHaveTextContent('subagent');
    expect(rows[2]).toHaveTextContent('…'); // in flight
    expect(api.listRequests).toHaveBeenCalledWith({ model: '', kind: '', errors: false, text: '', limit: 100 });
  });

  it('shows usage over the last days and how bodies are stored', async () => {
    setUp();

    const strip = await screen.findByRole('region', { name: 'Usage and storage' });
    await waitFor(() => expect(strip).toHaveTextContent('12 requests'));
    expect(strip).toHaveTextContent('$1.25');
    expect(strip).toHaveTextContent('Bodies stored, encrypted');
    expect(strip).toHaveTextContent('3.3 MB');
    expect(strip).toHaveTextContent('keeps 30 days');
  });

  it('says how to get requests when there are none yet', async () => {
    setUp([]);

    expect(await screen.findByText('No requests yet')).toBeInTheDocument();
    expect(screen.getByText(/Point Claude Code at the proxy/)).toBeInTheDocument();
  });

  it('filters by status, kind, model and text, and clears the filters', async () => {
    setUp();
    await list();

    await userEvent.click(screen.getByRole('button', { name: 'Errors' }));
    expect(api.listRequests).toHaveBeenLastCalledWith(expect.objectContaining({ errors: true }));

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'compaction');
    expect(api.listRequests).toHaveBeenLastCalledWith(expect.objectContaining({ kind: 'compaction', errors: true }));

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Model' }), 'claude-sonnet-4-5');
    expect(api.listRequests).toHaveBeenLastCalledWith(expect.objectContaining({ model: 'claude-sonnet-4-5' }));

    vi.mocked(api.listRequests).mockResolvedValue({ requests: [], next: '' });
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search messages' }), 'retry{Enter}');
    expect(api.listRequests).toHaveBeenLastCalledWith(expect.objectContaining({ text: 'retry' }));

    expect(await screen.findByText('No requests match')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(api.listRequests).toHaveBeenLastCalledWith({ model: '', kind: '', errors: false, text: '', limit: 100 });
  });

  it('goes on with a text search that stopped before finding anything', async () => {
    setUp();
    await list();
    vi.mocked(api.listRequests).mockResolvedValue({ requests: [], next: 'scanned-to', search_stopped: true });
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search messages' }), 'old thing{Enter}');
    expect(await screen.findByText('Nothing among the newest requests searched so far.')).toBeInTheDocument();

    vi.mocked(api.listRequests).mockResolvedValue({ requests: [makeRequestRow({ id: 'found' })], next: '' });
    await userEvent.click(screen.getByRole('button', { name: 'Search older requests' }));

    expect(api.listRequests).toHaveBeenLastCalledWith(expect.objectContaining({ text: 'old thing', cursor: 'scanned-to' }));
    await waitFor(() => expect(within(screen.getByRole('listbox')).getAllByRole('option')).toHaveLength(1));
  });

  it('loads the next page with the cursor', async () => {
    setUp([makeRequestRow()], 'cursor-1');
    await list();
    vi.mocked(api.listRequests).mockResolvedValue({ requests: [makeRequestRow({ id: 'older' })], next: '' });

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));

    expect(api.listRequests).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: 'cursor-1' }));
    await waitFor(() => expect(within(screen.getByRole('listbox')).getAllByRole('option')).toHaveLength(2));
    expect(screen.getByText('2 requests')).toBeInTheDocument();
  });

  it('shows a request: metadata, the rendered messages and the answer with its tool call', async () => {
    const { onOpenConversation } = setUp();
    await userEvent.click(within(await list()).getByRole('option'));

    const pane = await screen.findByRole('region', { name: 'Request detail' });
    await within(pane).findByText('Let me look.');
    expect(api.requestDetail).toHaveBeenCalledWith('req-1');
    expect(pane).toHaveTextContent('640 ms'); // first byte
    expect(pane).toHaveTextContent('end_turn');
    expect(within(pane).getByRole('article', { name: 'User' })).toHaveTextContent('Explain the retry policy');
    const answer = within(pane).getByRole('article', { name: 'Response' });
    expect(answer).toHaveTextContent('Bash');
    expect(answer).toHaveTextContent('"command": "grep -rn retry proxy/"');
    expect(within(pane).getByText('System prompt')).toBeInTheDocument();

    await userEvent.click(within(pane).getByRole('button', { name: /Open its conversation/ }));
    expect(onOpenConversation).toHaveBeenCalledWith('conv-1');

    await userEvent.click(within(pane).getByRole('button', { name: 'Close the detail' }));
    expect(screen.queryByRole('region', { name: 'Request detail' })).not.toBeInTheDocument();
  });

  it('says why the bodies are not there', async () => {
    setUp();
    vi.mocked(api.requestDetail).mockResolvedValue(
      makeRequestDetail({
        bodies: false,
        unavailable: 'metadata only: body storage is off (STORAGE_ENABLED=false)',
        messages: [],
        answer: null,
      }),
    );
    await userEvent.click(within(await list()).getByRole('option'));

    expect(await screen.findByText(/metadata only: body storage is off/)).toBeInTheDocument();
  });

  it('counts the tools it does not list', async () => {
    setUp();
    vi.mocked(api.requestDetail).mockResolvedValue(makeRequestDetail({ tools: ['Bash', 'Read'], tools_omitted: 1500 }));
    await userEvent.click(within(await list()).getByRole('option'));

    const pane = await screen.findByRole('region', { name: 'Request detail' });
    const tools = (await within(pane).findByText('Tools')).closest('details')!;
    expect(tools).toHaveTextContent('1502');
    expect(within(tools).getByText('+1500 more')).toBeInTheDocument();
  });

  it('folds older messages of a long request', async () => {
    setUp();
    const messages = Array.from({ length: 10 }, (_, i) =>
      makeMessage({
        role: i % 2 ? 'assistant' : 'user',
        blocks: [{ type: 'text', text: `message ${i}`, name: '', tool_id: '', input: '', is_error: false, cut: false }],
      }),
    );
    vi.mocked(api.requestDetail).mockResolvedValue(makeRequestDetail({ messages }));
    await userEvent.click(within(await list()).getByRole('option'));

    await screen.findByText('message 9');
    expect(screen.queryByText('message 0')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Show 4 earlier messages' }));
    expect(screen.getByText('message 0')).toBeInTheDocument();
  });

  it('moves the selection with the arrow keys', async () => {
    setUp([makeRequestRow({ id: 'a' }), makeRequestRow({ id: 'b' })]);
    const box = await list();

    await fireEvent.keyDown(box, { key: 'ArrowDown' });
    await waitFor(() => expect(api.requestDetail).toHaveBeenLastCalledWith('a'));
    await fireEvent.keyDown(box, { key: 'ArrowDown' });
    await waitFor(() => expect(api.requestDetail).toHaveBeenLastCalledWith('b'));
    expect(within(box).getAllByRole('option')[1]).toHaveAttribute('aria-selected', 'true');
  });

  it('refreshes the list when Go reports new records', async () => {
    const { records } = setUp();
    await list();
    vi.mocked(api.listRequests).mockResolvedValue({
      requests: [makeRequestRow({ id: 'new', model: 'claude-opus-4-1' }), makeRequestRow()],
      next: '',
    });

    records();

    await waitFor(() => expect(screen.getByText('opus-4-1')).toBeInTheDocument());
    expect(within(screen.getByRole('listbox')).getAllByRole('option')).toHaveLength(2);
  });

  it('shows why the list could not load, and retries', async () => {
    setUp([makeRequestRow()], '', 'store unavailable');

    expect(await screen.findByRole('alert')).toHaveTextContent('store unavailable');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await list()).toBeInTheDocument();
  });
});
