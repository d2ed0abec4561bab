import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ConversationsView from './ConversationsView.svelte';
import { ConversationsStore } from './conversations.svelte';
import { buildTimeline } from './timeline';
import * as api from '../lib/api';
import { onRecords } from '../lib/events';
import {
  makeConversationDetail,
  makeConversationRow,
  makeRequestDetail,
} from '../testing/fixtures';

vi.mock('../lib/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/api')>();
  return {
    ApiError: real.ApiError,
    listConversations: vi.fn(),
    conversation: vi.fn(),
    requestDetail: vi.fn(),
  };
});
vi.mock('../lib/events', () => ({ onRecords: vi.fn() }));

function setUp(rows = [makeConversationRow()]) {
  let records: () => void = () => {};
  vi.mocked(onRecords).mockImplementation((handler) => {
    records = () => handler(0);
    return () => {};
  });
  vi.mocked(api.listConversations).mockResolvedValue({ conversations: rows, next: '' });
  vi.mocked(api.conversation).mockResolvedValue(makeConversationDetail());
  vi.mocked(api.requestDetail).mockResolvedValue(makeRequestDetail());
  const store = new ConversationsStore();
  render(ConversationsView, { store });
  return { store, records: () => records() };
}

async function openFirst(): Promise<HTMLElement> {
  await userEvent.click(await screen.findByRole('button', { name: /Retry policy of the proxy/ }));
  return screen.findByRole('list', { name: 'Timeline' });
}

describe('ConversationsView', () => {
  it('lists conversations with title, activity, request count, branches and cost', async () => {
    setUp([
      makeConversationRow(),
      makeConversationRow({
        id: 'c2',
        title: '',
        request_count: 1,
        branches: [
          { name: 'main', request_count: 1 },
          { name: 'branch-2', request_count: 1 },
        ],
        cost_usd: 2.5,
      }),
      makeConversationRow({ id: 'c3', title: 'Grep for retries', parent_conversation_id: 'conv-1' }),
    ]);

    const list = await screen.findByRole('list', { name: 'Recorded conversations' });
    const items = within(list).getAllByRole('button', { name: /./ }).filter((b) => b.classList.contains('conv'));
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent('Retry policy of the proxy');
    expect(items[0]).toHaveTextContent('3 requests');
    expect(items[0]).toHaveTextContent('$0.050');
    expect(items[1]).toHaveTextContent('Untitled conversation');
    expect(items[1]).toHaveTextContent('2 branches');
    expect(items[1]).toHaveTextContent('$2.50');
    expect(items[2]).toHaveTextContent('↳');
    expect(screen.getByText(/Select a conversation/)).toBeInTheDocument();
  });

  it('shows an empty state before any conversation', async () => {
    setUp([]);

    expect(await screen.findByText('No conversations yet')).toBeInTheDocument();
  });

  it('shows the timeline: turns in order, the fork, the compaction, sub-threads and side calls apart', async () => {
    setUp();
    const timeline = await openFirst();

    expect(api.conversation).toHaveBeenCalledWith('conv-1');
    const text = timeline.textContent ?? '';
    expect(text.indexOf('Explain the retry policy')).toBeLessThan(text.indexOf('Now show me the config'));
    expect(timeline).toHaveTextContent('branch-2 continues from #1');
    expect(timeline).toHaveTextContent('compaction');
    expect(timeline).not.toHaveTextContent('quota'); // side calls are apart
    // The sub-thread hangs under the request that started it (#2).
    const thread = within(timeline).getByRole('button', { name: /Search the repo for retries/ });
    expect(thread).toHaveTextContent('4 requests');
    expect(screen.getByText('Side calls')).toBeInTheDocument();
    const branches = screen.getByLabelText('Branches');
    expect(branches).toHaveTextContent('main · 3');
    expect(branches).toHaveTextContent('branch-2 · 1');

    await userEvent.click(thread);
    expect(api.conversation).toHaveBeenLastCalledWith('conv-sub');
  });

  it('opens a request of the timeline in the same detail as the Requests view', async () => {
    setUp();
    const timeline = await openFirst();

    await userEvent.click(within(timeline).getByRole('button', { name: /Now show me the config/ }));

    expect(api.requestDetail).toHaveBeenCalledWith('r2');
    const pane = await screen.findByRole('region', { name: 'Request detail' });
    expect(await within(pane).findByText('Let me look.')).toBeInTheDocument();
    expect(within(pane).queryByRole('button', { name: /Open its conversation/ })).not.toBeInTheDocument();

    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Request detail' })).not.toBeInTheDocument();
  });

  it('links a sub-thread back to its parent', async () => {
    setUp();
    vi.mocked(api.conversation).mockResolvedValue(
      makeConversationDetail({
        conversation: makeConversationRow({ id: 'conv-sub', title: 'Search the repo', parent_conversation_id: 'conv-1' }),
        parent: makeConversationRow(),
        sub_threads: [],
      }),
    );
    await openFirst();

    await userEvent.click(screen.getByRole('button', { name: /Sub-thread of Retry policy of the proxy/ }));
    expect(api.conversation).toHaveBeenLastCalledWith('conv-1');
  });

  it('follows new records: the list and the open conversation', async () => {
    const { records } = setUp();
    await openFirst();
    vi.mocked(api.listConversations).mockResolvedValue({
      conversations: [makeConversationRow({ request_count: 6, last_at: '2026-05-01T12:05:00.000Z' })],
      next: '',
    });

    records();

    await waitFor(() => expect(api.conversation).toHaveBeenCalledTimes(2));
    expect(await screen.findByText('6 requests')).toBeInTheDocument();
  });
});

describe('buildTimeline', () => {
  it('numbers the turns, marks forks and keeps side calls and unplaced threads apart', () => {
    const t = buildTimeline(
      makeConversationDetail({
        sub_threads: [
          makeConversationRow({ id: 's1', parent_request_id: 'r2' }),
          makeConversationRow({ id: 's2', parent_request_id: 'gone' }),
        ],
      }),
    );

    expect(t.items.map((i) => (i.type === 'fork' ? `fork:${i.branch}:${i.from}` : `${i.type}:${i.n}`))).toEqual([
      'request:1',
      'request:2',
      'fork:branch-2:1',
      'request:3',
      'compaction:4',
    ]);
    expect(t.side.map((r) => r.id)).toEqual(['aux']);
    expect(t.threads.map((c) => c.id)).toEqual(['s2']);
    expect(t.branched).toBe(true);
  });
});
