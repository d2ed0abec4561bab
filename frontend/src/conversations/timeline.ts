// Lays a conversation out for reading: its turns in order with branch forks marked,
// compactions as steps of their own, sub-threads under the request that started them, and
// side calls (titles, quota checks) apart. Pure: the view renders what this returns.
import type { ConversationDetail, ConversationRequest, ConversationRow } from '../lib/api';

export type TimelineItem =
  | { type: 'request'; request: ConversationRequest; n: number; threads: ConversationRow[] }
  | { type: 'compaction'; request: ConversationRequest; n: number; threads: ConversationRow[] }
  /** A branch starts: `from` is the number of the request it continues (null: unknown). */
  | { type: 'fork'; branch: string; from: number | null };

export interface Timeline {
  items: TimelineItem[];
  /** Auxiliary requests: attached to the conversation, not part of it. */
  side: ConversationRequest[];
  /** Sub-threads whose starting request is not in the timeline. */
  threads: ConversationRow[];
  /** More than one branch: label every request with its branch. */
  branched: boolean;
}

export function buildTimeline(d: ConversationDetail): Timeline {
  const byParent = new Map<string, ConversationRow[]>();
  for (const t of d.sub_threads) {
    const list = byParent.get(t.parent_request_id) ?? [];
    list.push(t);
    byParent.set(t.parent_request_id, list);
  }
  const placed = new Set<string>();
  const number = new Map<string, number>();
  const seen = new Set<string>();
  const items: TimelineItem[] = [];
  const side: ConversationRequest[] = [];
  let n = 0;
  for (const r of d.requests) {
    const threads = byParent.get(r.id) ?? [];
    threads.forEach((t) => placed.add(t.id));
    if (r.kind === 'auxiliary') {
      side.push(r);
      continue;
    }
    const branch = r.branch || 'main';
    if (!seen.has(branch)) {
      seen.add(branch);
      if (branch !== 'main' || n > 0) {
        items.push({ type: 'fork', branch, from: number.get(r.parent_request_id) ?? null });
      }
    }
    n++;
    number.set(r.id, n);
    items.push({ type: r.kind === 'compaction' ? 'compaction' : 'request', request: r, n, threads });
  }
  const branches = new Set([...d.requests.filter((r) => r.kind !== 'auxiliary').map((r) => r.branch || 'main')]);
  return {
    items,
    side,
    threads: d.sub_threads.filter((t) => !placed.has(t.id)),
    branched: branches.size > 1 || d.conversation.branches.length > 1,
  };
}
