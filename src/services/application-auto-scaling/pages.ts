/** Describe* paging: MaxResults 1–50 (default 50), NextToken an opaque offset. */
import { invalidNextToken, validation } from './errors.js';

export function page<T>(items: T[], input: { MaxResults?: number; NextToken?: string }): { items: T[]; NextToken?: string } {
  const max = input.MaxResults ?? 50;
  if (max < 1 || max > 50) throw validation('MaxResults must be between 1 and 50.');
  let start = 0;
  if (input.NextToken) {
    const m = /^o:(\d+)$/.exec(Buffer.from(input.NextToken, 'base64').toString());
    if (!m) throw invalidNextToken();
    start = Number(m[1]);
  }
  const end = start + max;
  return { items: items.slice(start, end), NextToken: end < items.length ? Buffer.from(`o:${end}`).toString('base64') : undefined };
}
