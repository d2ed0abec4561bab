// The Requests view's state: the filtered list (paged by cursor), the selected request and
// its detail. New records refresh the loaded rows from the "status" event Go emits when its
// record counter grows. Components read the getters; only this class writes.
import * as api from '../lib/api';
import type { RequestDetail, RequestQuery, RequestRow, StorageInfo, UsageSummary } from '../lib/api';
import { onRecords } from '../lib/events';
import { mergeLive } from '../lib/livemerge';

/** What the user filters by. */
export interface RequestFilters {
  model: string;
  kind: string;
  errors: boolean;
  text: string;
}

export const PAGE = 100;
/** Days of usage the strip above the list shows. */
export const USAGE_DAYS = 14;
/** Live refreshes reload at most this many rows (what is loaded beyond stays as it was). */
const LIVE_MAX = 500;

export class RequestsStore {
  #filters = $state<RequestFilters>({ model: '', kind: '', errors: false, text: '' });
  #rows = $state<RequestRow[]>([]);
  #next = $state('');
  #searchStopped = $state(false);
  #loaded = $state(false);
  #loading = $state(false);
  #loadingMore = $state(false);
  #error = $state('');
  #selected = $state('');
  #detail = $state<RequestDetail | null>(null);
  #detailLoading = $state(false);
  #detailError = $state('');
  #usage = $state<UsageSummary | null>(null);
  #storage = $state<StorageInfo | null>(null);
  // Bumped by each new query; replies to an older one are dropped.
  #generation = 0;
  #detailGeneration = 0;
  #unsubscribe: (() => void) | null;
  #liveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.#unsubscribe = onRecords(() => this.#scheduleLive());
  }

  get filters(): RequestFilters {
    return this.#filters;
  }
  get rows(): RequestRow[] {
    return this.#rows;
  }
  /** More rows can be loaded. */
  get hasMore(): boolean {
    return this.#next !== '';
  }
  /** A text search stopped at its limit of requests read; loading more searches older ones. */
  get searchStopped(): boolean {
    return this.#searchStopped;
  }
  /** The first load has finished (with rows or not). */
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
  get selected(): string {
    return this.#selected;
  }
  get detail(): RequestDetail | null {
    return this.#detail;
  }
  get detailLoading(): boolean {
    return this.#detailLoading;
  }
  get detailError(): string {
    return this.#detailError;
  }
  /** Usage per day over the last USAGE_DAYS days; null until loaded (or when it failed). */
  get usage(): UsageSummary | null {
    return this.#usage;
  }
  /** How bodies are kept; null until loaded. */
  get storage(): StorageInfo | null {
    return this.#storage;
  }
  /** Some filter is set. */
  get filtered(): boolean {
    const f = this.#filters;
    return f.model !== '' || f.kind !== '' || f.errors || f.text.trim() !== '';
  }

  /** Changes filters and reloads the first page. */
  async setFilters(change: Partial<RequestFilters>): Promise<void> {
    this.#filters = { ...this.#filters, ...change };
    await this.refresh();
  }

  /** Loads the first page for the filters. Never throws: a failure is kept in `error`. */
  async refresh(): Promise<void> {
    const gen = ++this.#generation;
    this.#loading = true;
    try {
      const page = await api.listRequests(this.#query({ limit: PAGE }));
      if (gen !== this.#generation) return;
      this.#rows = page.requests;
      this.#next = page.next;
      this.#searchStopped = !!page.search_stopped;
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

  /** Loads the usage strip and the storage status. Failures leave them as they were. */
  async refreshSummary(): Promise<void> {
    const [usage, storage] = await Promise.allSettled([api.usageSummary(USAGE_DAYS), api.storageInfo()]);
    if (usage.status === 'fulfilled') this.#usage = usage.value;
    if (storage.status === 'fulfilled') this.#storage = storage.value;
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    if (!this.#next || this.#loadingMore || this.#loading) return;
    const gen = this.#generation;
    this.#loadingMore = true;
    try {
      const page = await api.listRequests(this.#query({ limit: PAGE, cursor: this.#next }));
      if (gen !== this.#generation) return;
      const have = new Set(this.#rows.map((r) => r.id));
      this.#rows = [...this.#rows, ...page.requests.filter((r) => !have.has(r.id))];
      this.#next = page.next;
      this.#searchStopped = !!page.search_stopped;
      this.#error = '';
    } catch (e) {
      if (gen === this.#generation) this.#error = message(e);
    } finally {
      this.#loadingMore = false;
    }
  }

  /** Shows request `id` in the detail pane ("" closes it). */
  async select(id: string): Promise<void> {
    this.#selected = id;
    const gen = ++this.#detailGeneration;
    if (!id) {
      this.#detail = null;
      this.#detailError = '';
      return;
    }
    this.#detailLoading = true;
    this.#detailError = '';
    try {
      const d = await api.requestDetail(id);
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

  /** Selects the row `delta` rows away from the selected one (arrow keys). */
  async move(delta: number): Promise<void> {
    if (this.#rows.length === 0) return;
    const i = this.#rows.findIndex((r) => r.id === this.#selected);
    const j = i < 0 ? 0 : Math.min(this.#rows.length - 1, Math.max(0, i + delta));
    if (this.#rows[j].id !== this.#selected) await this.select(this.#rows[j].id);
  }

  /** Stops following new records. */
  destroy(): void {
    clearTimeout(this.#liveTimer);
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  // New records: reload the loaded rows (a request in flight finishes, new ones appear on
  // top) at most once a second, and the open detail when its request was still running.
  #scheduleLive(): void {
    if (this.#liveTimer !== undefined) return;
    this.#liveTimer = setTimeout(() => {
      this.#liveTimer = undefined;
      void this.#live();
    }, 300);
  }

  async #live(): Promise<void> {
    if (!this.#loaded || this.#loading || this.#loadingMore) return;
    void this.refreshSummary();
    const gen = this.#generation;
    const limit = Math.min(LIVE_MAX, Math.max(PAGE, this.#rows.length));
    try {
      const page = await api.listRequests(this.#query({ limit }));
      if (gen !== this.#generation) return;
      const merged = mergeLive(this.#rows, this.#next, page.requests, page.next);
      if (merged.next !== this.#next) this.#searchStopped = !!page.search_stopped;
      ({ rows: this.#rows, next: this.#next } = merged);
      const open = this.#detail?.request;
      const now = page.requests.find((r) => r.id === this.#selected);
      if (open && now && (!open.finished || open.status !== now.status) && now.finished) {
        void this.#reloadDetail();
      }
    } catch {
      // A live refresh failing is not worth a banner; the next one may work.
    }
  }

  async #reloadDetail(): Promise<void> {
    const id = this.#selected;
    const gen = this.#detailGeneration;
    try {
      const d = await api.requestDetail(id);
      if (gen === this.#detailGeneration && id === this.#selected) this.#detail = d;
    } catch {
      // Keep what is shown.
    }
  }

  #query(extra: Partial<RequestQuery>): Partial<RequestQuery> {
    const f = this.#filters;
    return { model: f.model, kind: f.kind, errors: f.errors, text: f.text.trim(), ...extra };
  }
}

function message(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}
