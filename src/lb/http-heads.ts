/**
 * Pieces of message heads for the listener-port fast path (alb-connection.ts):
 * the Date header and each listener's X-Forwarded-Proto/-Port lines, built
 * once and reused; the view of a request that rule conditions evaluate, whose
 * header map is built only when a condition asks for headers.
 */
import type { RequestFacts } from './rule-matcher.js';
import type { ListenerView } from './snapshot.js';

let dateSecond = 0;
let dateHeader = '';
/** The Date header, formatted once a second. */
export function httpDate(now: number): string {
  const s = Math.floor(now / 1000);
  if (s !== dateSecond) {
    dateSecond = s;
    dateHeader = new Date(s * 1000).toUTCString();
  }
  return dateHeader;
}

/** Per listener: the X-Forwarded-Proto/-Port lines (views are rebuilt on every reload, so this follows changes). */
const forwardedLines = new WeakMap<ListenerView, string>();
export function listenerLines(l: ListenerView): string {
  let lines = forwardedLines.get(l);
  if (lines === undefined) {
    lines = `X-Forwarded-Proto: ${l.protocol.toLowerCase()}\r\nX-Forwarded-Port: ${l.port}\r\n`;
    forwardedLines.set(l, lines);
  }
  return lines;
}

/** An address and port as a Host header value (IPv6 in brackets). */
export function hostPort(address: string | undefined, port: number | undefined): string {
  const a = address ?? '127.0.0.1';
  return `${a.includes(':') ? `[${a}]` : a}:${port}`;
}

/** What the rule conditions see of a parsed request; its header map is built only if a rule asks. */
export class Facts implements RequestFacts {
  private map?: Record<string, string | string[] | undefined>;
  constructor(
    readonly method: string, readonly host: string, readonly path: string, readonly query: string,
    readonly sourceIp: string, private readonly raw: string[],
  ) {}

  get headers(): Record<string, string | string[] | undefined> {
    return (this.map ??= headerMap(this.raw));
  }
}

/** Raw header pairs as node:http would present them: lower-case names, repeated ones joined. */
export function headerMap(raw: string[]): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i].toLowerCase();
    const v = raw[i + 1];
    const prior = out[k];
    if (prior === undefined) out[k] = k === 'set-cookie' ? [v] : v;
    else if (Array.isArray(prior)) prior.push(v);
    else out[k] = `${prior}${k === 'cookie' ? '; ' : ', '}${v}`;
  }
  return out;
}
