// Live refresh of a paged, newest-first list: the first page is read again and put over the
// rows already loaded.

/**
 * mergeLive puts a fresh first page over the rows already loaded. Of the loaded rows it keeps
 * those after the fresh page's last row, without the ones the fresh page now shows (a
 * conversation with a new request moves up), so that no row is lost or shown twice when new
 * rows pushed the old ones down. When the fresh page's last row had not been loaded, the
 * loaded rows cannot be joined to it: the list is the fresh page and paging goes on from it.
 */
export function mergeLive<T extends { id: string }>(
  loaded: readonly T[],
  loadedNext: string,
  fresh: readonly T[],
  freshNext: string,
): { rows: T[]; next: string } {
  const last = fresh.at(-1);
  const at = last ? loaded.findIndex((r) => r.id === last.id) : -1;
  if (at < 0 || at === loaded.length - 1) return { rows: [...fresh], next: freshNext };
  const shown = new Set(fresh.map((r) => r.id));
  return { rows: [...fresh, ...loaded.slice(at + 1).filter((r) => !shown.has(r.id))], next: loadedNext };
}
