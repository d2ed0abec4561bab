// The security checklist for the window: loaded from Go, kept current by the "security"
// event (Go's monitor re-runs it every minute and after changes), re-run and fixed through
// the API. Components read the getters; only this class writes.
import * as api from '../lib/api';
import type { SecurityItem, SecurityReport } from '../lib/api';
import { onSecurity } from '../lib/events';

/** What the last fix of an item did, shown under it. */
export interface FixOutcome {
  ok: boolean;
  message: string;
}

export class SecurityStore {
  #report = $state<SecurityReport | null>(null);
  #loading = $state(false);
  #error = $state('');
  #checking = $state(false);
  /** The id of the action being applied, "" when none. */
  #applying = $state('');
  /** The outcome of the last fix, by item id. */
  #outcomes = $state<Record<string, FixOutcome>>({});
  // Bumped on every report that arrives; a reply older than the latest event is dropped.
  #version = 0;
  #unsubscribe: (() => void) | null;

  constructor() {
    this.#unsubscribe = onSecurity((r) => this.#apply(r));
  }

  /** The latest report, or null until the first one arrives. */
  get report(): SecurityReport | null {
    return this.#report;
  }

  get loading(): boolean {
    return this.#loading;
  }

  /** Why loading or re-running failed; "" when it did not. */
  get error(): string {
    return this.#error;
  }

  /** True while a re-run asked for by the user is in flight. */
  get checking(): boolean {
    return this.#checking;
  }

  /** The action being applied, "" when none. */
  get applying(): string {
    return this.#applying;
  }

  /** The outcome of the last fix applied to item `id`, if any. */
  outcome(id: string): FixOutcome | undefined {
    return this.#outcomes[id];
  }

  /** How many items warn or fail: the sidebar's badge. */
  get attention(): number {
    return this.#report?.items.filter((i) => i.status !== 'pass').length ?? 0;
  }

  /** True when a critical item fails. */
  get criticalFailing(): boolean {
    return this.#report?.items.some((i) => i.critical && i.status === 'fail') ?? false;
  }

  /** The worst status among the items that need attention. */
  get severity(): 'warn' | 'fail' | 'critical' {
    if (this.criticalFailing) return 'critical';
    return this.#report?.items.some((i) => i.status === 'fail') ? 'fail' : 'warn';
  }

  /** Loads the latest report. Never throws: a failure is kept in `error`. */
  async refresh(): Promise<void> {
    await this.#load(() => api.securityChecklist(), (b) => (this.#loading = b));
  }

  /** Runs the checklist now. Never throws. */
  async recheck(): Promise<void> {
    if (this.#checking) return;
    await this.#load(() => api.recheckSecurity(), (b) => (this.#checking = b));
  }

  /** Applies fix `actionId` offered for `item`. Never throws: the outcome is kept by item. */
  async applyFix(item: SecurityItem, actionId: string): Promise<void> {
    if (this.#applying) return;
    this.#applying = actionId;
    try {
      const r = await api.applySecurityFix(actionId);
      this.#apply(r.report);
      this.#outcomes = { ...this.#outcomes, [item.id]: { ok: true, message: r.message } };
    } catch (e) {
      this.#outcomes = { ...this.#outcomes, [item.id]: { ok: false, message: message(e) } };
      await this.refresh();
    } finally {
      this.#applying = '';
    }
  }

  /** Stops listening for security events. */
  destroy(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  async #load(fetch: () => Promise<SecurityReport>, busy: (b: boolean) => void): Promise<void> {
    const version = this.#version;
    busy(true);
    try {
      const r = await fetch();
      if (version === this.#version) this.#apply(r);
    } catch (e) {
      this.#error = message(e);
    } finally {
      busy(false);
    }
  }

  #apply(r: SecurityReport): void {
    this.#version++;
    this.#report = r;
    this.#error = '';
  }
}

function message(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}
