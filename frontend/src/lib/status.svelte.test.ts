import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Status } from './api';
import * as api from './api';
import { onStatus } from './events';
import { StatusStore } from './status.svelte';
import { deferred, makeStatus } from '../testing/fixtures';

// The store talks to Go only through api.ts and events.ts; fake both seams.
vi.mock('./api', async (importOriginal) => {
  const real = await importOriginal<typeof import('./api')>();
  return {
    ApiError: real.ApiError,
    status: vi.fn(),
    setProxyRunning: vi.fn(),
  };
});
vi.mock('./events', () => ({ onStatus: vi.fn() }));

const statusMock = vi.mocked(api.status);
const setProxyRunningMock = vi.mocked(api.setProxyRunning);
const onStatusMock = vi.mocked(onStatus);

let emit: (s: Status) => void;
let unsubscribe: ReturnType<typeof vi.fn>;

beforeEach(() => {
  unsubscribe = vi.fn();
  onStatusMock.mockImplementation((handler) => {
    emit = handler;
    return unsubscribe as () => void;
  });
});

describe('StatusStore', () => {
  it('starts empty and subscribes to status events', () => {
    const store = new StatusStore();
    expect(store.status).toBeNull();
    expect(store.loading).toBe(false);
    expect(store.error).toBe('');
    expect(onStatusMock).toHaveBeenCalledTimes(1);
  });

  it('refresh loads the status and reports loading meanwhile', async () => {
    const reply = deferred<Status>();
    statusMock.mockReturnValue(reply.promise);
    const store = new StatusStore();

    const done = store.refresh();
    expect(store.loading).toBe(true);
    reply.resolve(makeStatus({ request_count: 7 }));
    await done;

    expect(store.loading).toBe(false);
    expect(store.status?.request_count).toBe(7);
    expect(store.error).toBe('');
  });

  it('refresh keeps the error message when Status() rejects', async () => {
    statusMock.mockRejectedValue(new ApiError('Status', 'database is locked'));
    const store = new StatusStore();

    await store.refresh();

    expect(store.status).toBeNull();
    expect(store.error).toBe('database is locked');
    expect(store.loading).toBe(false);
  });

  it('a later successful refresh clears the error', async () => {
    statusMock.mockRejectedValueOnce(new ApiError('Status', 'boom'));
    statusMock.mockResolvedValueOnce(makeStatus());
    const store = new StatusStore();

    await store.refresh();
    await store.refresh();

    expect(store.error).toBe('');
    expect(store.status?.running).toBe(true);
  });

  it('takes the status from a "status" event', () => {
    const store = new StatusStore();
    emit(makeStatus({ running: false, request_count: 42 }));

    expect(store.status?.running).toBe(false);
    expect(store.status?.request_count).toBe(42);
  });

  it('drops a refresh reply that is older than an event received meanwhile', async () => {
    const reply = deferred<Status>();
    statusMock.mockReturnValue(reply.promise);
    const store = new StatusStore();

    const done = store.refresh();
    emit(makeStatus({ running: false, request_count: 2 }));
    reply.resolve(makeStatus({ running: true, request_count: 1 }));
    await done;

    expect(store.status?.running).toBe(false);
    expect(store.status?.request_count).toBe(2);
  });

  it('setRunning applies the status Go returns and is busy meanwhile', async () => {
    const reply = deferred<Status>();
    setProxyRunningMock.mockReturnValue(reply.promise);
    const store = new StatusStore();
    emit(makeStatus({ running: true }));

    const done = store.setRunning(false);
    expect(store.busy).toBe(true);
    expect(setProxyRunningMock).toHaveBeenCalledWith(false);
    reply.resolve(makeStatus({ running: false }));
    await done;

    expect(store.busy).toBe(false);
    expect(store.status?.running).toBe(false);
    expect(store.actionError).toBe('');
  });

  it('setRunning keeps the error, resyncs the status and does not throw', async () => {
    setProxyRunningMock.mockRejectedValue(
      new ApiError('SetProxyRunning', 'listen tcp 127.0.0.1:3731: address already in use'),
    );
    statusMock.mockResolvedValue(
      makeStatus({ running: false, last_error: 'address already in use' }),
    );
    const store = new StatusStore();
    emit(makeStatus({ running: false }));

    await expect(store.setRunning(true)).resolves.toBeUndefined();

    expect(store.actionError).toBe('listen tcp 127.0.0.1:3731: address already in use');
    expect(store.busy).toBe(false);
    expect(statusMock).toHaveBeenCalledTimes(1);
    expect(store.status?.running).toBe(false);
    expect(store.status?.last_error).toBe('address already in use');
  });

  it('a successful setRunning clears the previous action error', async () => {
    setProxyRunningMock.mockRejectedValueOnce(new ApiError('SetProxyRunning', 'nope'));
    setProxyRunningMock.mockResolvedValueOnce(makeStatus({ running: true }));
    statusMock.mockResolvedValue(makeStatus({ running: false }));
    const store = new StatusStore();

    await store.setRunning(true);
    expect(store.actionError).toBe('nope');
    await store.setRunning(true);

    expect(store.actionError).toBe('');
    expect(store.status?.running).toBe(true);
  });

  it('ignores a second setRunning while one is in flight', async () => {
    const reply = deferred<Status>();
    setProxyRunningMock.mockReturnValue(reply.promise);
    const store = new StatusStore();

    const first = store.setRunning(true);
    await store.setRunning(false);
    reply.resolve(makeStatus({ running: true }));
    await first;

    expect(setProxyRunningMock).toHaveBeenCalledTimes(1);
    expect(store.status?.running).toBe(true);
  });

  it('destroy unsubscribes once', () => {
    const store = new StatusStore();
    store.destroy();
    store.destroy();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });
});
