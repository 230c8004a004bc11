/**
 * One HTTP `Range: bytes=…` against a body of `size` bytes (RFC 9110 §14.1.2):
 * the range to send, 'ignore' for a header that is not a valid single range
 * (servers then send everything), or 'unsatisfiable' (416). The registry and
 * S3 each decide what 'ignore' means for them.
 */
export type ByteRangeVerdict = { start: number; end: number } | 'ignore' | 'unsatisfiable';

export function byteRange(header: string, size: number): ByteRangeVerdict {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'ignore';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    if (m[2] !== '' && Number(m[2]) < start) return 'ignore';
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start < size ? { start, end } : 'unsatisfiable';
}
