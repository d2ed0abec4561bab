// Number, time and size formats shared by the history views. Pure functions.

/** 1234 → "1,234"; 12345 → "12.3k"; 1234567 → "1.23M". */
export function tokens(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0';
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}

/** US dollars with as many decimals as small amounts need: "$0.0042", "$0.123", "$1.27", "$1,204". */
export function cost(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1) return `$${usd.toFixed(3)}`;
  if (usd < 100) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString('en-US')}`;
}

/** Milliseconds as "840 ms", "1.24 s", "2m 05s"; "—" for none. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Bytes as "512 B", "12.4 KB", "3.1 MB", "1.20 GB"; "—" when unknown (negative). */
export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function parse(rfc3339: string): Date | null {
  if (!rfc3339) return null;
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? null : d;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A list's time column: "14:03:21" today, "Mar 4 14:03" this year, else "2025-03-04". */
export function when(rfc3339: string, now: Date = new Date()): string {
  const d = parse(rfc3339);
  if (!d) return '—';
  const hm = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (sameDay(d, now)) return d.toLocaleTimeString('en-GB');
  if (d.getFullYear() === now.getFullYear()) {
    return `${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${hm}`;
  }
  return localDate(d);
}

/** The local calendar date of d, as YYYY-MM-DD. */
function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A full local date and time, for details and tooltips. */
export function fullTime(rfc3339: string): string {
  const d = parse(rfc3339);
  return d ? d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else a date. */
export function ago(rfc3339: string, now: Date = new Date()): string {
  const d = parse(rfc3339);
  if (!d) return '—';
  const s = Math.max(0, (now.getTime() - d.getTime()) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 2 * 86_400) return 'yesterday';
  if (s < 7 * 86_400) return `${Math.floor(s / 86_400)} days ago`;
  return when(rfc3339, now);
}

/** "claude-sonnet-4-5-20250929" → "sonnet-4-5"; other names stay. */
export function shortModel(model: string): string {
  if (!model) return '—';
  return model.replace(/^claude-/, '').replace(/-\d{8}$/, '');
}

/** Whether a status means failure: no answer (0) or ≥ 400. */
export function failed(status: number, finished: boolean): boolean {
  return finished && (status === 0 || status >= 400);
}
