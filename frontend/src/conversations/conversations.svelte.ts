// The Conversations view's state: the list (paged by cursor), the open conversation with its
// timeline, and the request opened from it. New records refresh both from the "status"
// event Go emits when its record counter grows. Components read the getters; only this
// class writes.
import * as api from '../lib/api';
import type { ConversationDetail, ConversationRow, RequestDetail } from '../lib/api';
import { onRecords } from '../lib/events';
import { mergeLive } from '../lib/livemerge';

export const PAGE = 100;
const LIVE_MAX = 500;

export class ConversationsStore {
  #rows = $state<ConversationRow[]>([]);
  #next = $state('');
  #model = $state('');
  #loaded = $state(false);
  #loading = $state(false);
  #loadingMore = $state(false);
  #error = $state('');
  #selected = $state('');
  #detail = $state<ConversationDetail | null>(null);
  #detailLoading = $state(false);
  #detailError = $state('');
  #request = $state('');
  #requestDetail = $state<RequestDetail | null>(null);
  #requestLoading = $state(false);
  #requestError = $state('');
  #generation = 0;
  #detailGeneration = 0;
  #requestGeneration = 0;
  #unsubscribe: (() => void) | null;
  #liveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.#unsubscribe = onRecords(() => this.#scheduleLive());
  }

  get rows(): ConversationRow[] {
    return this.#rows;
  }
  get hasMore(): boolean {
    return this.#next !== '';
  }
  /** The model filter; "" for all. */
  get model(): string {
    return this.#model;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get loadingMore(): boolean {
    return this.#loadingMore;
  }
  get error(): string {
    return this.#error;
  }
  /** The open conversation's id; "" for none. */
  get selected(): string {
    return this.#selected;
  }
  get detail(): ConversationDetail | null {
    return this.#detail;
  }
  get detailLoading(): boolean {
    return this.#detailLoading;
  }
  get detailError(): string {
    return this.#detailError;
  }
  /** The request opened from the timeline; "" for none. */
  get request(): string {
    return this.#request;
  }
  get requestDetail(): RequestDetail | null {
    return this.#requestDetail;
  }
  get requestLoading(): boolean {
    return this.#requestLoading;
  }
  get requestError(): string {
    return this.#requestError;
  }

  async setModel(model: string): Promise<void> {
    this.#model = model;
    await this.refresh();
  }

  /** Loads the first page. Never throws: a failure is kept in `error`. */
  async refresh(): Promise<void> {
    const gen = ++this.#generation;
    this.#loading = true;
    try {
      const page = await api.listConversations({ limit: PAGE, model: this.#model });
      if (gen !== this.#generation) return;
      this.#rows = page.conversations;
      this.#next = page.next;
      this.#error = '';
    } catch (e) {
      if (gen === this.#generation) this.#error = message(e);
    } finally {
      if (gen === this.#generation) {
        this.#loading = false;
        this.#loaded = true;
      }
    }
  }

  async loadMore(): Promise<void> {
    if (!this.#next || this.#loadingMore || this.#loading) return;
    const gen = this.#generation;
    this.#loadingMore = true;
    try {
      const page = await api.listConversations({ limit: PAGE, model: this.#model, cursor: this.#next });
      if (gen !== this.#generation) return;
      const have = new Set(this.#rows.map((c) => c.id));
      this.#rows = [...this.#rows, ...page.conversations.filter((c) => !have.has(c.id))];
      this.#next = page.next;
    } catch (e) {
      if (gen === this.#generation) this.#error = message(e);
    } finally {
      this.#loadingMore = false;
    }
  }

  /** Opens conversation `id` ("" closes it), closing any open request. */
  async open(id: string): Promise<void> {
    this.#selected = id;
    void this.openRequest('');
    const gen = ++this.#detailGeneration;
    if (!id) {
      this.#detail = null;
      this.#detailError = '';
      return;
    }
    if (this.#detail?.conversation.id !== id) this.#detail = null;
    this.#detailLoading = true;
    this.#detailError = '';
    try {
      const d = await api.conversation(id);
      if (gen === this.#detailGeneration) this.#detail = d;
    } catch (e) {
      if (gen === this.#detailGeneration) {
        this.#detail = null;
        this.#detailError = message(e);
      }
    } finally {
      if (gen === this.#detailGeneration) this.#detailLoading = false;
    }
  }

  /** Shows request `id` of the open conversation ("" closes it). */
  async openRequest(id: string): Promise<void> {
    this.#request = id;
    const gen = ++this.#requestGeneration;
    if (!id) {
      this.#requestDetail = null;
      this.#requestError = '';
      return;
    }
    this.#requestLoading = true;
    this.#requestError = '';
    try {
      const d = await api.requestDetail(id);
      if (gen === this.#requestGeneration) this.#requestDetail = d;
    } catch (e) {
      if (gen === this.#requestGeneration) {
        this.#requestDetail = null;
        this.#requestError = message(e);
      }
    } finally {
      if (gen === this.#requestGeneration) this.#requestLoading = false;
    }
  }

  destroy(): void {
    clearTimeout(this.#liveTimer);
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  #scheduleLive(): void {
    if (this.#liveTimer !== undefined) return;
    this.#liveTimer = setTimeout(() => {
      this.#liveTimer = undefined;
      void this.#live();
    }, 300);
  }

  // New records: reload the loaded rows, and the open conversation when it changed.
  async #live(): Promise<void> {
    if (!this.#loaded || this.#loading || this.#loadingMore) return;
    const gen = this.#generation;
    const limit = Math.min(LIVE_MAX, Math.max(PAGE, this.#rows.length));
    try {
      const page = await api.listConversations({ limit, model: this.#model });
      if (gen !== this.#generation) return;
      ({ rows: this.#rows, next: this.#next } = mergeLive(this.#rows, this.#next, page.conversations, page.next));
    } catch {
      return; // the next records try again
    }
    const open = this.#detail?.conversation;
    const now = this.#rows.find((c) => c.id === this.#selected);
    if (open && now && (now.last_at !== open.last_at || now.request_count !== open.request_count)) {
      const dgen = this.#detailGeneration;
      try {
        const d = await api.conversation(open.id);
        if (dgen === this.#detailGeneration) this.#detail = d;
      } catch {
        // keep what is shown
      }
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}
