// Test data shaped like what Go sends.
import type {
  ConversationDetail,
  ConversationRequest,
  ConversationRow,
  Message,
  RequestDetail,
  RequestRow,
  SecurityItem,
  SecurityReport,
  Status,
  StorageInfo,
  UsageSummary,
} from '../lib/api';

export function makeStatus(overrides: Partial<Status> = {}): Status {
  return {
    running: true,
    address: 'http://127.0.0.1:3731',
    port: 3731,
    last_error: '',
    client_auth: true,
    client_key_masked: 'cnp_live_Ab…x9Qz',
    keychain_ok: true,
    keychain_message: '',
    default_account: 'work',
    connect: [
      {
        id: 'account',
        title: 'With an account in Nexus',
        description: 'Requests use the account kept in the keychain.',
        lines: [
          'export ANTHROPIC_BASE_URL=http://127.0.0.1:3731',
          'export ANTHROPIC_API_KEY=cnp_live_Ab…x9Qz',
        ],
      },
      {
        id: 'passthrough',
        title: 'Keep your Claude login',
        description: "Claude Code's own subscription login passes through.",
        lines: [
          'export ANTHROPIC_BASE_URL=http://127.0.0.1:3731',
          'export ANTHROPIC_CUSTOM_HEADERS="x-nexus-client-key: cnp_live_Ab…x9Qz"',
        ],
      },
    ],
    request_count: 1234,
    ...overrides,
  };
}

/** A promise with its resolve and reject exposed, to control when a fake call settles. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A checklist like Go's: one critical failure, one warning with a confirmed fix, passes. */
export function makeReport(overrides: Partial<SecurityReport> = {}): SecurityReport {
  return {
    checked_at: '2026-05-01T12:00:00Z',
    items: [
      makeItem({
        id: 'client-auth',
        title: 'Clients must present the client key',
        critical: true,
        evidence: 'client auth is on (ENABLE_CLIENT_AUTH=true)',
      }),
      makeItem({
        id: 'legacy-credential-files',
        title: 'No plaintext credential files',
        status: 'warn',
        evidence: '1 plaintext credential file(s) in /home/me/creds: work.credentials.json',
        fix: 'import them with `nexus credentials import /home/me/creds --delete-after-import`',
        actions: [
          {
            id: 'delete-imported-credential-files',
            label: 'Delete 1 imported file(s)',
            confirm: 'Delete work.credentials.json? The keychain already holds what they contain.',
          },
        ],
      }),
      makeItem({
        id: 'loopback-only',
        title: 'The proxy listens on loopback only',
        status: 'fail',
        critical: true,
        evidence: 'listening on an address other machines can reach (this process): 0.0.0.0:8080',
        fix: 'stop the process listening there',
      }),
      makeItem({
        id: 'data-file-modes',
        title: 'Data files are readable by you only',
        status: 'warn',
        evidence: 'database /data/nexus.db is 0644, want 0600',
        fix: 'chmod 600 /data/nexus.db',
        actions: [{ id: 'tighten-data-files', label: 'Make them private (0700 and 0600)', confirm: '' }],
      }),
      makeItem({
        id: 'subscription-terms',
        title: 'Subscription credentials are used within the provider\'s terms',
        evidence: 'no subscription (OAuth) accounts',
        fix: 'only your own Claude Code traffic',
      }),
    ],
    ...overrides,
  };
}

export function makeItem(overrides: Partial<SecurityItem> = {}): SecurityItem {
  return {
    id: 'item',
    title: 'An item',
    status: 'pass',
    critical: false,
    evidence: 'saw it',
    fix: '',
    actions: [],
    pending: '',
    ...overrides,
  };
}

export function makeRequestRow(overrides: Partial<RequestRow> = {}): RequestRow {
  return {
    id: 'req-1',
    started_at: '2026-05-01T12:00:00.000Z',
    method: 'POST',
    path: '/v1/messages',
    model: 'claude-sonnet-4-5-20250929',
    stream: true,
    status: 200,
    error: '',
    kind: 'turn',
    conversation_id: 'conv-1',
    branch: 'main',
    account: 'work',
    finished: true,
    incomplete: false,
    stop_reason: 'end_turn',
    input_tokens: 12,
    output_tokens: 345,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 20_000,
    cost_usd: 0.0123,
    ttfb_ms: 640,
    duration_ms: 2400,
    attempts: 1,
    ...overrides,
  };
}

export function makeMessage(overrides: Partial<Message> = {}): Message {
  return {
    role: 'user',
    blocks: [
      { type: 'text', text: 'Explain the retry policy', name: '', tool_id: '', input: '', is_error: false, cut: false },
    ],
    cut: false,
    ...overrides,
  };
}

export function makeRequestDetail(overrides: Partial<RequestDetail> = {}): RequestDetail {
  return {
    request: makeRequestRow(),
    query: '',
    error_type: '',
    session_id: 'sess-1',
    parent_request_id: '',
    link_rule: 'new',
    message_id: 'msg_1',
    user_agent: 'claude-cli/2.1',
    passthrough: false,
    rejected: '',
    overhead_ms: 1.2,
    cache_creation_5m_input_tokens: 100,
    cache_creation_1h_input_tokens: 0,
    redactions: 0,
    attempt_log: [],
    headers: [{ name: 'request-id', value: 'req_abc' }],
    bodies: true,
    unavailable: '',
    system: 'You are Claude Code.',
    system_cut: false,
    tools: ['Bash', 'Read'],
    tools_omitted: 0,
    messages: [makeMessage()],
    omitted_messages: 0,
    raw: '',
    raw_cut: false,
    answer: makeMessage({
      role: 'assistant',
      blocks: [
        { type: 'text', text: 'Let me look.', name: '', tool_id: '', input: '', is_error: false, cut: false },
        {
          type: 'tool_use',
          text: '',
          name: 'Bash',
          tool_id: 'toolu_1',
          input: '{\n  "command": "grep -rn retry proxy/"\n}',
          is_error: false,
          cut: false,
        },
      ],
    }),
    answer_error: '',
    ...overrides,
  };
}

export function makeConversationRow(overrides: Partial<ConversationRow> = {}): ConversationRow {
  return {
    id: 'conv-1',
    title: 'Retry policy of the proxy',
    started_at: '2026-05-01T11:50:00.000Z',
    last_at: '2026-05-01T12:00:00.000Z',
    request_count: 3,
    branches: [{ name: 'main', request_count: 3 }],
    parent_conversation_id: '',
    parent_request_id: '',
    input_tokens: 40,
    output_tokens: 900,
    cache_creation_input_tokens: 300,
    cache_read_input_tokens: 60_000,
    cost_usd: 0.05,
    ...overrides,
  };
}

export function makeConversationRequest(overrides: Partial<ConversationRequest> = {}): ConversationRequest {
  return {
    id: 'req-1',
    started_at: '2026-05-01T11:50:00.000Z',
    branch: 'main',
    kind: 'turn',
    parent_request_id: '',
    model: 'claude-sonnet-4-5',
    status: 200,
    finished: true,
    input_tokens: 10,
    output_tokens: 300,
    cache_read_input_tokens: 20_000,
    cache_creation_input_tokens: 0,
    cost_usd: 0.01,
    duration_ms: 2000,
    preview: 'Explain the retry policy',
    ...overrides,
  };
}

/** A conversation of two turns, a fork, a compaction, a side call and a sub-agent thread. */
export function makeConversationDetail(overrides: Partial<ConversationDetail> = {}): ConversationDetail {
  return {
    conversation: makeConversationRow({
      request_count: 5,
      branches: [
        { name: 'main', request_count: 3 },
        { name: 'branch-2', request_count: 1 },
      ],
    }),
    parent: null,
    requests: [
      makeConversationRequest({ id: 'r1', preview: 'Explain the retry policy' }),
      makeConversationRequest({ id: 'r2', parent_request_id: 'r1', preview: 'Now show me the config' }),
      makeConversationRequest({ id: 'aux', kind: 'auxiliary', preview: 'quota' }),
      makeConversationRequest({ id: 'r3', branch: 'branch-2', parent_request_id: 'r1', preview: 'Actually, use a table' }),
      makeConversationRequest({ id: 'c1', kind: 'compaction', parent_request_id: 'r2', preview: '' }),
    ],
    earlier_requests: 0,
    sub_threads: [
      makeConversationRow({
        id: 'conv-sub',
        title: 'Search the repo for retries',
        parent_conversation_id: 'conv-1',
        parent_request_id: 'r2',
        request_count: 4,
      }),
    ],
    ...overrides,
  };
}

export function makeUsage(overrides: Partial<UsageSummary> = {}): UsageSummary {
  const total = {
    model: '',
    requests: 12,
    input_tokens: 100,
    output_tokens: 5000,
    cache_creation_input_tokens: 2000,
    cache_read_input_tokens: 90_000,
    cost_usd: 1.25,
  };
  return {
    days: 14,
    from: '2026-04-18',
    to: '2026-05-01',
    rows: [{ ...total, model: 'claude-sonnet-4-5', date: '2026-05-01' }],
    models: [{ ...total, model: 'claude-sonnet-4-5' }],
    total,
    ...overrides,
  };
}

export function makeStorage(overrides: Partial<StorageInfo> = {}): StorageInfo {
  return {
    bodies_stored: true,
    encrypted: true,
    redacting: true,
    reason: '',
    retention_days: 30,
    retention_max_mb: 0,
    size_bytes: 3_500_000,
    retention: [],
    ...overrides,
  };
}
