/** Conversions of scalar values that several protocols share. */

/** Accepts what providers return for a timestamp: Date, epoch seconds, or an ISO string. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  return new Date(String(value));
}

export function epochSeconds(value: unknown): number {
  if (typeof value === 'number') return value;
  return toDate(value).getTime() / 1000;
}

/** ISO 8601 as AWS writes it in XML and query strings: milliseconds only when present. */
export function isoDateTime(value: unknown): string {
  const iso = toDate(value).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

export function httpDate(value: unknown): string {
  return toDate(value).toUTCString();
}

/** Parses a timestamp in any of the formats clients send; undefined when invalid. */
export function parseTimestamp(value: unknown): Date | undefined {
  let d: Date;
  if (typeof value === 'number') d = new Date(value * 1000);
  else if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) d = new Date(Number(value) * 1000);
  else if (typeof value === 'string') d = new Date(value);
  else return undefined;
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function toBase64(value: unknown): string {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
  return Buffer.from(value as Uint8Array).toString('base64');
}
