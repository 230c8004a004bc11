/**
 * What an Application Load Balancer decides for a forwarded request,
 * whichever HTTP path carries it (http-proxy.ts on Berth's main port,
 * alb-connection.ts on listener ports): the target (by weight, group
 * stickiness AWSALBTG and target stickiness AWSALB / AWSALBAPP-0), the
 * cookies that keep the client there, the X-Forwarded-For value the
 * load balancer's attributes ask for, and where a redirect to a sibling
 * listener lands when Berth bound that listener on another port.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
 */
import { Balancer, pickGroup } from './balancer.js';
import type { ListenerView, TargetGroupView, TargetView, WeightedGroup } from './snapshot.js';

const COOKIE_LB = 'AWSALB';
const COOKIE_APP = 'AWSALBAPP-0';
const COOKIE_TG = 'AWSALBTG';

const encodeCookie = (value: string) => Buffer.from(value).toString('base64url');
function decodeCookie(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return Buffer.from(value, 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface Choice {
  group: TargetGroupView;
  target: TargetView;
  host: string;
  port: number;
  /** Set-Cookie values for the response (stickiness). */
  setCookies: string[];
}

const NO_COOKIES: string[] = [];

/** The Host header's name, lower case, without its port. */
export function hostOf(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1).toLowerCase();
  const colon = header.indexOf(':');
  return (colon < 0 ? header : header.slice(0, colon)).toLowerCase();
}

/** A forward action's target: group and target stickiness first, then weights and the group's algorithm. */
export function chooseTarget(
  balancer: Balancer, now: number, groups: WeightedGroup[], stickySeconds: number | undefined, cookieHeader: string | undefined,
): Choice | undefined {
  const cookie = (name: string) => (cookieHeader ? decodeCookie(cookieValue(cookieHeader, name)) : undefined);
  const group = pickGroup(groups, stickySeconds && groups.length > 1 ? cookie(COOKIE_TG) : undefined);
  if (!group) return undefined;
  const stickyType = group.attributes['stickiness.enabled'] === 'true' ? group.attributes['stickiness.type'] : undefined;
  const stickyKey = stickyType === 'lb_cookie' ? cookie(COOKIE_LB) : stickyType === 'app_cookie' ? cookie(COOKIE_APP) : undefined;
  const target = balancer.pick(group, now, stickyKey);
  if (!target?.addr) return undefined;
  let setCookies = NO_COOKIES;
  if (stickyType === 'lb_cookie') {
    const expires = new Date(now + Number(group.attributes['stickiness.lb_cookie.duration_seconds'] ?? '86400') * 1000).toUTCString();
    const v = encodeCookie(target.key);
    setCookies = [`${COOKIE_LB}=${v}; Expires=${expires}; Path=/`, `${COOKIE_LB}CORS=${v}; Expires=${expires}; Path=/; SameSite=None`];
  }
  if (stickySeconds && groups.length > 1) {
    const expires = new Date(now + stickySeconds * 1000).toUTCString();
    const v = encodeCookie(group.arn);
    setCookies = [...setCookies, `${COOKIE_TG}=${v}; Expires=${expires}; Path=/`, `${COOKIE_TG}CORS=${v}; Expires=${expires}; Path=/; SameSite=None`];
  }
  return { group, target, host: target.addr.host, port: target.addr.port, setCookies };
}

/** The application cookie name when the group sticks by one (the target's own cookie is answered with AWSALBAPP-0). */
export function appCookieName(group: TargetGroupView): string | undefined {
  const a = group.attributes;
  return a['stickiness.enabled'] === 'true' && a['stickiness.type'] === 'app_cookie' ? a['stickiness.app_cookie.cookie_name'] : undefined;
}

/** AWSALBAPP-0 naming the target, when its response set the application cookie. */
export function appStickinessCookie(c: Choice, now: number, setCookies: readonly string[] | undefined): string | undefined {
  const name = appCookieName(c.group);
  if (!name || !setCookies?.some((sc) => sc.startsWith(`${name}=`))) return undefined;
  const expires = new Date(now + Number(c.group.attributes['stickiness.app_cookie.duration_seconds'] ?? '86400') * 1000).toUTCString();
  return `${COOKIE_APP}=${encodeCookie(c.target.key)}; Expires=${expires}; Path=/`;
}

/**
 * The X-Forwarded-For a target sees, by routing.http.xff_header_processing.mode:
 * append (the client's address after any the client sent), preserve (as
 * sent, or the client's address when none), remove (undefined).
 */
export function forwardedFor(listener: ListenerView, prior: string | undefined, ip: string, remotePort: number | undefined): string | undefined {
  const attrs = listener.lb.attributes;
  const mode = attrs['routing.http.xff_header_processing.mode'] ?? 'append';
  if (mode === 'remove') return undefined;
  const client = attrs['routing.http.xff_client_port.enabled'] === 'true' ? `${ip}:${remotePort}` : ip;
  if (mode === 'append') return prior ? `${prior}, ${client}` : client;
  return prior || client;
}

/**
 * A redirect to another listener of the same load balancer (HTTP:80 →
 * HTTPS:443) goes where Berth serves that listener when it could not bind
 * the listener's own port.
 */
export function localizeRedirect(listener: ListenerView, location: string, host: string, boundPort: (listenerArn: string) => number | undefined): string {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location;
  }
  if (url.hostname.toLowerCase() !== host) return location;
  const scheme = url.protocol.slice(0, -1);
  const port = Number(url.port || (scheme === 'https' ? 443 : 80));
  const target = listener.lb.listeners.find((l) => l.port === port && l.protocol.toLowerCase() === scheme);
  const bound = target && boundPort(target.arn);
  if (!bound || bound === port) return location;
  url.port = String(bound);
  return url.toString();
}

/** The load balancer's idle timeout in ms (client connections and target silence). */
export function idleTimeoutMs(listener: ListenerView): number {
  return Number(listener.lb.attributes['idle_timeout.timeout_seconds'] ?? '60') * 1000;
}
