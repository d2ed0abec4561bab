// The one place that subscribes to Wails runtime events.
import { EventsOn } from '../../wailsjs/runtime/runtime';
import { toSecurityReport, toStatus, type SecurityReport, type Status } from './api';

/** Event Go emits with the full status whenever it changes (e.g. the tray toggled the proxy). */
export const STATUS_EVENT = 'status';

/** Event Go emits with the security checklist each time its monitor runs it. */
export const SECURITY_EVENT = 'security';

/** Event Go emits to show a view, e.g. "security" when a notification was clicked. */
export const NAVIGATE_EVENT = 'navigate';

/** Calls `handler` with each status Go emits. Returns the function that unsubscribes. */
export function onStatus(handler: (status: Status) => void): () => void {
  return subscribe(STATUS_EVENT, (payload) => handler(toStatus(payload)));
}

/** Calls `handler` with each security checklist Go emits. Returns the unsubscribe function. */
export function onSecurity(handler: (report: SecurityReport) => void): () => void {
  return subscribe(SECURITY_EVENT, (payload) => handler(toSecurityReport(payload)));
}

/** Calls `handler` with the view Go asks to show. Returns the unsubscribe function. */
export function onNavigate(handler: (view: string) => void): () => void {
  return subscribe(NAVIGATE_EVENT, (payload) => {
    if (typeof payload === 'string') handler(payload);
  });
}

function subscribe(name: string, handler: (payload: unknown) => void): () => void {
  try {
    return EventsOn(name, handler);
  } catch (e) {
    // Outside a Wails window (a plain browser on the Vite dev server) there is no runtime;
    // the UI still loads and shows why Go calls fail.
    console.warn(`${name} events unavailable:`, e);
    return () => {};
  }
}

/**
 * Calls `handler` whenever new records may have been written. Go re-emits the status each
 * time its in-memory record counter grows (the Home view's count follows it the same way),
 * so lists refresh from that event: nothing polls the database. Returns the unsubscribe
 * function.
 */
export function onRecords(handler: (requestCount: number) => void): () => void {
  return subscribe(STATUS_EVENT, (payload) => handler(toStatus(payload).request_count));
}
