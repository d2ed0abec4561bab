// Shared proxy status for the window: loaded from Go, kept current by the "status" event,
// changed through setRunning. Components read the getters; only this class writes.
import * as api from './api';
import type { Status } from './api';
import { onStatus } from './events';

export class StatusStore {
  #status = $state<Status | null>(null);
  #loading = $state(false);
  #error = $state('');
  #busy = $state(false);
  #actionError = $state('');
  // Bumped on every status that arrives; a reply older than the latest event is dropped.
  #version = 0;
  #unsubscribe: (() => void) | null;

  constructor() {
    this.#unsubscribe = onStatus((s) => this.#apply(s));
  }

  /** The latest status, or null until the first one arrives. */
  get status(): Status | null {
    return this.#status;
  }

  /** True while a refresh runs. */
  get loading(): boolean {
    return this.#loading;
  }

  /** Why the last refresh failed; "" when it succeeded. */
  get error(): string {
    return this.#error;
  }

  /** True while a start or stop is in flight. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Why the last start or stop failed; "" when it succeeded. */
  get actionError(): string {
    return this.#actionError;
  }

  /** Loads the status from Go. Never throws: a failure is kept in `error`. */
  async refresh(): Promise<void> {
    const version = this.#version;
    this.#loading = true;
    try {
      const s = await api.status();
      if (version === this.#version) this.#apply(s);
    } catch (e) {
      this.#error = message(e);
    } finally {
      this.#loading = false;
    }
  }

  /** Starts or stops the proxy. Never throws: a failure is kept in `actionError`. */
  async setRunning(on: boolean): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.#actionError = '';
    try {
      this.#apply(await api.setProxyRunning(on));
    } catch (e) {
      this.#actionError = message(e);
      // The attempt may have changed something (e.g. last_error); show what Go has now.
      await this.refresh();
    } finally {
      this.#busy = false;
    }
  }

  /** Stops listening for status events. */
  destroy(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  #apply(s: Status): void {
    this.#version++;
    this.#status = s;
    this.#error = '';
  }
}

function message(e: unknown): string {
  return e instanceof Error && e.message ? e.message : String(e);
}
