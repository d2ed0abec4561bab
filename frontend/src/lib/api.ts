// The one seam between the window and Go: only this module imports the generated Wails
// bindings. It exposes plain TypeScript types and turns every rejection into an ApiError.
import * as App from '../../wailsjs/go/app/App';
import type { app } from '../../wailsjs/go/models';

/** One way to point Claude Code at the proxy, as shell lines. Keys in `lines` are masked. */
export interface ConnectOption {
  id: string; // "account" | "passthrough"
  title: string;
  description: string;
  lines: string[];
}

/** What the Home view shows. It never holds a secret: the client key is masked. */
export interface Status {
  running: boolean;
  /** Base URL, e.g. "http://127.0.0.1:3731"; the configured one while stopped. */
  address: string;
  port: number;
  /** Why the proxy is not running when it should be; "" otherwise. */
  last_error: string;
  client_auth: boolean;
  client_key_masked: string;
  keychain_ok: boolean;
  keychain_message: string;
  /** "" when no account exists yet. */
  default_account: string;
  connect: ConnectOption[];
  request_count: number;
}

/** A check's status. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** A one-click fix Go applies for an item. */
export interface SecurityAction {
  /** Sent back to applySecurityFix. */
  id: string;
  label: string;
  /** The question to ask before applying; "" for a fix that needs no confirmation. */
  confirm: string;
}

/** One item of the security checklist. Evidence names files, addresses and counts, never a secret. */
export interface SecurityItem {
  id: string;
  title: string;
  status: CheckStatus;
  /** A critical item that fails makes `nexus check` exit 1. */
  critical: boolean;
  evidence: string;
  /** What to do; "" when nothing. */
  fix: string;
  actions: SecurityAction[];
  /** A saved change not yet in effect (e.g. until a restart); "" when none. */
  pending: string;
}

/** The security checklist as Go ran it last. */
export interface SecurityReport {
  /** RFC 3339. */
  checked_at: string;
  items: SecurityItem[];
}

/** What a fix did, and the checklist after it. */
export interface FixResult {
  message: string;
  report: SecurityReport;
}

// Fails to compile when the generated Go models stop matching the types above (a field renamed,
// removed or retyped in app/dto.go or app/security.go); update both sides together.
type Assert<T extends true> = T;
type Loose<T> = { [K in keyof T]: T[K] extends CheckStatus ? string : T[K] };
export type GeneratedModelsMatch = [
  Assert<app.Status extends Status ? true : false>,
  Assert<app.SecurityAction extends SecurityAction ? true : false>,
  Assert<app.SecurityItem extends Loose<Omit<SecurityItem, 'actions'>> ? true : false>,
  Assert<app.SecurityReport['checked_at'] extends string ? true : false>,
  Assert<app.FixResult['message'] extends string ? true : false>,
];

/** A failed call into Go. `message` is the Go error text; `op` names the bound method. */
export class ApiError extends Error {
  readonly op: string;

  constructor(op: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.op = op;
  }
}

/** Maps whatever a binding rejected with (Go sends a string) to an ApiError. */
export function toApiError(op: string, reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  if (typeof reason === 'string') return new ApiError(op, reason || `${op} failed`);
  if (reason instanceof Error) return new ApiError(op, reason.message || `${op} failed`);
  return new ApiError(op, `${op} failed`);
}

/**
 * Copies a status as sent by Go into a plain Status. Go encodes nil slices as null and the
 * event payload is raw JSON, so missing lists become [] and missing fields their zero value.
 */
export function toStatus(raw: unknown): Status {
  const s = (raw ?? {}) as Partial<Record<keyof Status, unknown>>;
  const connect = Array.isArray(s.connect) ? s.connect : [];
  return {
    running: s.running === true,
    address: str(s.address),
    port: typeof s.port === 'number' ? s.port : 0,
    last_error: str(s.last_error),
    client_auth: s.client_auth === true,
    client_key_masked: str(s.client_key_masked),
    keychain_ok: s.keychain_ok === true,
    keychain_message: str(s.keychain_message),
    default_account: str(s.default_account),
    connect: connect.map(toConnectOption),
    request_count: typeof s.request_count === 'number' ? s.request_count : 0,
  };
}

function toConnectOption(raw: unknown): ConnectOption {
  const o = (raw ?? {}) as Partial<Record<keyof ConnectOption, unknown>>;
  return {
    id: str(o.id),
    title: str(o.title),
    description: str(o.description),
    lines: Array.isArray(o.lines) ? o.lines.map(str) : [],
  };
}

/** Copies a report as sent by Go (a reply or an event payload) into a plain SecurityReport. */
export function toSecurityReport(raw: unknown): SecurityReport {
  const r = (raw ?? {}) as Partial<Record<keyof SecurityReport, unknown>>;
  const items = Array.isArray(r.items) ? r.items : [];
  return { checked_at: str(r.checked_at), items: items.map(toSecurityItem) };
}

function toSecurityItem(raw: unknown): SecurityItem {
  const i = (raw ?? {}) as Partial<Record<keyof SecurityItem, unknown>>;
  const actions = Array.isArray(i.actions) ? i.actions : [];
  return {
    id: str(i.id),
    title: str(i.title),
    status: toCheckStatus(i.status),
    critical: i.critical === true,
    evidence: str(i.evidence),
    fix: str(i.fix),
    actions: actions.map((a: unknown) => {
      const o = (a ?? {}) as Partial<Record<keyof SecurityAction, unknown>>;
      return { id: str(o.id), label: str(o.label), confirm: str(o.confirm) };
    }),
    pending: str(i.pending),
  };
}

/** An unknown status is shown as a warning: never as a pass. */
function toCheckStatus(v: unknown): CheckStatus {
  return v === 'pass' || v === 'fail' ? v : 'warn';
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

async function call<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (reason) {
    throw toApiError(op, reason);
  }
}

/** Tells Go the window has mounted (Go shows the window then); resolves to the app version. */
export function ready(): Promise<string> {
  return call('Ready', () => App.Ready());
}

export async function status(): Promise<Status> {
  return toStatus(await call('Status', () => App.Status()));
}

/** Starts or stops the proxy; resolves to the status after the change. */
export async function setProxyRunning(on: boolean): Promise<Status> {
  return toStatus(await call('SetProxyRunning', () => App.SetProxyRunning(on)));
}

/** Go copies the real (unmasked) lines of connect option `id` to the clipboard. */
export function copyConnectLines(id: string): Promise<void> {
  return call('CopyConnectLines', () => App.CopyConnectLines(id));
}

/** Go copies the real client key to the clipboard. */
export function copyClientKey(): Promise<void> {
  return call('CopyClientKey', () => App.CopyClientKey());
}

/** The latest security checklist (Go runs it first if it has not run yet). */
export async function securityChecklist(): Promise<SecurityReport> {
  return toSecurityReport(await call('SecurityChecklist', () => App.SecurityChecklist()));
}

/** Runs the security checklist now. */
export async function recheckSecurity(): Promise<SecurityReport> {
  return toSecurityReport(await call('RecheckSecurity', () => App.RecheckSecurity()));
}

/** Applies the one-click fix `id`; rejects with Go's reason when it cannot. */
export async function applySecurityFix(id: string): Promise<FixResult> {
  const r = await call('ApplySecurityFix', () => App.ApplySecurityFix(id));
  return { message: str(r?.message), report: toSecurityReport(r?.report) };
}
