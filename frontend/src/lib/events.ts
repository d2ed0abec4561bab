// The one place that subscribes to Wails runtime events.
import { EventsOn } from '../../wailsjs/runtime/runtime';
import { toStatus, type Status } from './api';

/** Event Go emits with the full status whenever it changes (e.g. the tray toggled the proxy). */
export const STATUS_EVENT = 'status';

/** Calls `handler` with each status Go emits. Returns the function that unsubscribes. */
export function onStatus(handler: (status: Status) => void): () => void {
  try {
    return EventsOn(STATUS_EVENT, (payload: unknown) => handler(toStatus(payload)));
  } catch (e) {
    // Outside a Wails window (a plain browser on the Vite dev server) there is no runtime;
    // the UI still loads and shows why Go calls fail.
    console.warn('status events unavailable:', e);
    return () => {};
  }
}
