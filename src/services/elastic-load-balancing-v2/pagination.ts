/**
 * ELBv2's Marker/PageSize paging: PageSize 1–400, the marker an opaque token
 * naming the last item's sequence number; NextMarker only when more remain.
 */
import { validationError } from './errors.js';

const MAX_PAGE = 400;

function decodeMarker(marker: string): number {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  const m = /^berth:(\d+)$/.exec(text);
  if (!m) throw validationError('The marker is not valid');
  return Number(m[1]);
}

const encodeMarker = (seq: number) => Buffer.from(`berth:${seq}`).toString('base64');

/** One page of items ordered by seq. */
export function paginate<T>(items: T[], seqOf: (item: T) => number, marker: string | undefined, pageSize: number | undefined): { page: T[]; NextMarker?: string } {
  // PageSize's range (1-400) is the model's, checked before any provider runs (protocol/validate.ts).
  const size = pageSize ?? MAX_PAGE;
  const after = marker ? decodeMarker(marker) : -Infinity;
  const rest = items.filter((i) => seqOf(i) > after);
  const page = rest.slice(0, size);
  return { page, NextMarker: rest.length > size ? encodeMarker(seqOf(page[page.length - 1])) : undefined };
}
