/**
 * ELBv2's Marker/PageSize paging: PageSize 1–400, the marker an opaque token
 * naming the last item's sequence number; NextMarker only when more remain.
 */
import { validationError } from './errors.js';

const MAX_PAGE = 400;

export function checkPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined) return MAX_PAGE;
  if (pageSize < 1) throw validationError(`1 validation error detected: Value '${pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  if (pageSize > MAX_PAGE) throw validationError(`1 validation error detected: Value '${pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE}`);
  return pageSize;
}

function decodeMarker(marker: string): number {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  const m = /^berth:(\d+)$/.exec(text);
  if (!m) throw validationError('The marker is not valid');
  return Number(m[1]);
}

const encodeMarker = (seq: number) => Buffer.from(`berth:${seq}`).toString('base64');

/** One page of items ordered by seq. */
export function paginate<T>(items: T[], seqOf: (item: T) => number, marker: string | undefined, pageSize: number | undefined): { page: T[]; NextMarker?: string } {
  const size = checkPageSize(pageSize);
  const after = marker ? decodeMarker(marker) : -Infinity;
  const rest = items.filter((i) => seqOf(i) > after);
  const page = rest.slice(0, size);
  return { page, NextMarker: rest.length > size ? encodeMarker(seqOf(page[page.length - 1])) : undefined };
}
