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

// ——— History: requests, conversations, usage, storage ———

/** Narrows listRequests. Empty fields do not filter. */
export interface RequestQuery {
  limit: number;
  /** A page's `next`, for the page after it; "" for the newest. */
  cursor: string;
  model: string;
  kind: string;
  /** Only failed requests (no answer, or status ≥ 400). */
  errors: boolean;
  conversation: string;
  /** Finds requests whose newest message or answer contains it (needs stored bodies). */
  text: string;
}

/** A recorded request as a list shows it. Times are RFC 3339. */
export interface RequestRow {
  id: string;
  started_at: string;
  method: string;
  path: string;
  model: string;
  stream: boolean;
  /** 0 when no answer came. */
  status: number;
  error: string;
  /** "turn" | "subagent" | "compaction" | "auxiliary", or "" for other endpoints. */
  kind: string;
  conversation_id: string;
  branch: string;
  account: string;
  /** False while in flight (or when the app stopped during it). */
  finished: boolean;
  incomplete: boolean;
  stop_reason: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
  ttfb_ms: number;
  duration_ms: number;
  attempts: number;
}

/** One page of requests, newest first. */
export interface RequestPage {
  requests: RequestRow[];
  /** Cursor of the next page; "" when this is the last. */
  next: string;
  /** A text search read its limit of requests before filling the page; `next` searches older ones. */
  search_stopped?: boolean;
}

/** One content block of a message. */
export interface MessageBlock {
  /** "text" | "thinking" | "tool_use" | "tool_result" | "image" | "document" | "other". */
  type: string;
  text: string;
  name: string;
  tool_id: string;
  /** A tool_use's input as indented JSON. */
  input: string;
  is_error: boolean;
  /** The text was shortened to keep the message under 200 KB. */
  cut: boolean;
}

export interface Message {
  role: string;
  blocks: MessageBlock[];
  cut: boolean;
}

export interface AttemptRow {
  status: number;
  error: string;
  duration_ms: number;
}

export interface Header {
  name: string;
  value: string;
}

/** One request with its messages rendered for reading. */
export interface RequestDetail {
  request: RequestRow;
  query: string;
  error_type: string;
  session_id: string;
  parent_request_id: string;
  link_rule: string;
  message_id: string;
  user_agent: string;
  passthrough: boolean;
  rejected: string;
  overhead_ms: number;
  cache_creation_5m_input_tokens: number;
  cache_creation_1h_input_tokens: number;
  redactions: number;
  attempt_log: AttemptRow[];
  /** request-id and rate-limit headers only: never a credential. */
  headers: Header[];
  /** Whether the content below is there; `unavailable` says why not. */
  bodies: boolean;
  unavailable: string;
  system: string;
  system_cut: boolean;
  tools: string[];
  /** Tool names past the first 500, not listed. */
  tools_omitted: number;
  messages: Message[];
  /** The oldest messages left out to keep the detail small enough to show. */
  omitted_messages: number;
  /** The body as text when it is not a Messages request. */
  raw: string;
  raw_cut: boolean;
  answer: Message | null;
  answer_error: string;
}

export interface ConversationQuery {
  limit: number;
  cursor: string;
  model: string;
  /** Lists the sub-threads of this conversation. */
  parent: string;
}

export interface BranchRow {
  name: string;
  request_count: number;
}

/** A conversation as a list shows it. */
export interface ConversationRow {
  id: string;
  /** "" when none is known. */
  title: string;
  started_at: string;
  last_at: string;
  request_count: number;
  branches: BranchRow[];
  parent_conversation_id: string;
  parent_request_id: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
}

export interface ConversationPage {
  conversations: ConversationRow[];
  next: string;
}

/** One request in a conversation's timeline. */
export interface ConversationRequest {
  id: string;
  started_at: string;
  branch: string;
  kind: string;
  parent_request_id: string;
  model: string;
  status: number;
  finished: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cost_usd: number;
  duration_ms: number;
  /** The last user message, shortened; "" when bodies are not kept. */
  preview: string;
}

/** A conversation with its requests (oldest first) and sub-threads. */
export interface ConversationDetail {
  conversation: ConversationRow;
  parent: ConversationRow | null;
  requests: ConversationRequest[];
  /** Older requests left out of a very long conversation. */
  earlier_requests: number;
  sub_threads: ConversationRow[];
}

export interface UsageTotal {
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
}

export interface UsageDay extends UsageTotal {
  /** YYYY-MM-DD (UTC). */
  date: string;
}

/** Usage per UTC day and model. */
export interface UsageSummary {
  days: number;
  from: string;
  to: string;
  rows: UsageDay[];
  /** Per model, the costliest first. */
  models: UsageTotal[];
  total: UsageTotal;
}

export interface RetentionRow {
  at: string;
  reason: string;
  requests: number;
  conversations: number;
  blobs: number;
  bytes_before: number;
  bytes_after: number;
  oldest_kept_start: string;
}

/** How bodies are kept, the store's size, and the latest retention passes. */
export interface StorageInfo {
  bodies_stored: boolean;
  encrypted: boolean;
  redacting: boolean;
  /** Why bodies are not stored; "" when they are. */
  reason: string;
  retention_days: number;
  retention_max_mb: number;
  /** -1 when unknown. */
  size_bytes: number;
  retention: RetentionRow[];
}

// Fails to compile when the generated models stop matching the history types (app/history.go).
type Plain<T> = { [K in keyof T]-?: T[K] extends object | null | undefined ? unknown : T[K] };
export type GeneratedHistoryModelsMatch = [
  Assert<app.RequestRow extends RequestRow ? true : false>,
  Assert<app.RequestQuery extends RequestQuery ? true : false>,
  Assert<app.MessageBlock extends MessageBlock ? true : false>,
  Assert<app.ConversationRequest extends ConversationRequest ? true : false>,
  Assert<app.BranchRow extends BranchRow ? true : false>,
  Assert<app.ConversationQuery extends ConversationQuery ? true : false>,
  Assert<app.RetentionRow extends RetentionRow ? true : false>,
  Assert<app.UsageTotal extends UsageTotal ? true : false>,
  Assert<Plain<app.RequestDetail> extends Plain<RequestDetail> ? true : false>,
  Assert<Plain<app.ConversationRow> extends Plain<ConversationRow> ? true : false>,
  Assert<Plain<app.StorageInfo> extends Plain<StorageInfo> ? true : false>,
  Assert<Plain<app.UsageSummary> extends Plain<UsageSummary> ? true : false>,
];

function arr<T>(v: T[] | null | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

function toMessage(m: Message | null | undefined): Message {
  return { role: str(m?.role), blocks: arr(m?.blocks), cut: m?.cut === true };
}

function toConversationRow(c: ConversationRow): ConversationRow {
  return { ...c, title: str(c.title), branches: arr(c.branches) };
}

/** A page of recorded requests, newest first. */
export async function listRequests(q: Partial<RequestQuery> = {}): Promise<RequestPage> {
  const query: RequestQuery = {
    limit: 0,
    cursor: '',
    model: '',
    kind: '',
    errors: false,
    conversation: '',
    text: '',
    ...q,
  };
  const p = await call('ListRequests', () => App.ListRequests(query));
  return { requests: arr(p?.requests as RequestRow[]), next: str(p?.next) };
}

/** One request with its rendered messages, or why they are not available. */
export async function requestDetail(id: string): Promise<RequestDetail> {
  const d = (await call('RequestDetail', () => App.RequestDetail(id))) as unknown as RequestDetail;
  return {
    ...d,
    attempt_log: arr(d.attempt_log),
    headers: arr(d.headers),
    tools: arr(d.tools),
    messages: arr(d.messages).map(toMessage),
    answer: d.answer ? toMessage(d.answer) : null,
  };
}

/** A page of conversations, the most recently active first. */
export async function listConversations(q: Partial<ConversationQuery> = {}): Promise<ConversationPage> {
  const query: ConversationQuery = { limit: 0, cursor: '', model: '', parent: '', ...q };
  const p = await call('ListConversations', () => App.ListConversations(query));
  return {
    conversations: arr(p?.conversations as ConversationRow[]).map(toConversationRow),
    next: str(p?.next),
  };
}

/** A conversation with its requests in order and its sub-threads. */
export async function conversation(id: string): Promise<ConversationDetail> {
  const d = (await call('Conversation', () => App.Conversation(id))) as unknown as ConversationDetail;
  return {
    conversation: toConversationRow(d.conversation),
    parent: d.parent ? toConversationRow(d.parent) : null,
    requests: arr(d.requests),
    earlier_requests: d.earlier_requests ?? 0,
    sub_threads: arr(d.sub_threads).map(toConversationRow),
  };
}

/** Usage per day and model for the last `days` days. */
export async function usageSummary(days: number): Promise<UsageSummary> {
  const u = (await call('UsageSummary', () => App.UsageSummary(days))) as unknown as UsageSummary;
  return { ...u, rows: arr(u.rows), models: arr(u.models) };
}

/** How bodies are kept, the store's size, and the latest retention passes. */
export async function storageInfo(): Promise<StorageInfo> {
  const s = (await call('StorageInfo', () => App.StorageInfo())) as unknown as StorageInfo;
  return { ...s, retention: arr(s.retention) };
}
