// Test data shaped like what Go sends.
import type { SecurityItem, SecurityReport, Status } from '../lib/api';

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
