/**
 * NextToken for lists ordered by a key (a name): the token is the last key of the page before, opaque to the client.
 * Each service refuses a token that is not one of these in its own words.
 */
export const encodePageToken = (lastKey: string): string => Buffer.from(JSON.stringify({ after: lastKey })).toString('base64');

/** The key a page starts after: '' without a token, undefined for a token that is not one Berth made. */
export function decodePageToken(token: string | undefined): string | undefined {
  if (!token) return '';
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    return typeof v.after === 'string' ? v.after : undefined;
  } catch {
    return undefined;
  }
}
