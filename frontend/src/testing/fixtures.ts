// Test data shaped like what Go sends.
import type { Status } from '../lib/api';

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
