/**
 * TLS termination for HTTPS (ALB) and TLS (NLB) listeners: the certificates a
 * listener serves (its default one and those added for SNI, from ACM) and its
 * security policy, turned into node:tls secure contexts. The client's server
 * name picks the certificate as ELB does: an exact name first, then a
 * wildcard that covers it, else the default certificate.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html
 */
import tls from 'node:tls';
import { tlsSettings } from '../services/elastic-load-balancing-v2/index.js';
import type { ListenerTls } from './snapshot.js';

function covers(name: string, host: string): 'exact' | 'wildcard' | undefined {
  if (name === host) return 'exact';
  if (name.startsWith('*.')) {
    const dot = host.indexOf('.');
    if (dot > 0 && host.slice(dot + 1) === name.slice(2)) return 'wildcard';
  }
  return undefined;
}

/** A listener's secure contexts, built once per ListenerTls key. */
export class TlsContexts {
  readonly key: string;
  /** Server options carrying the default certificate and the policy. */
  readonly options: tls.SecureContextOptions;
  private readonly contexts: { names: string[]; context: tls.SecureContext }[] = [];

  constructor(t: ListenerTls, onError: (arn: string, err: unknown) => void) {
    this.key = t.key;
    const policy = tlsSettings(t.policy);
    const base: tls.SecureContextOptions = { ...policy, honorCipherOrder: true };
    let defaults: tls.SecureContextOptions | undefined;
    for (const c of t.certificates) {
      const options = { ...base, key: c.privateKey, cert: c.chain ? `${c.certificate.trim()}\n${c.chain}` : c.certificate };
      try {
        this.contexts.push({ names: c.names, context: tls.createSecureContext(options) });
        defaults ??= options;
      } catch (err) {
        onError(c.arn, err);
      }
    }
    this.options = defaults ?? base;
  }

  /** The context for a client's server name; undefined means the default certificate. */
  select(servername: string | undefined): tls.SecureContext | undefined {
    if (!servername) return undefined;
    const host = servername.toLowerCase();
    let wildcard: tls.SecureContext | undefined;
    for (const c of this.contexts) {
      for (const name of c.names) {
        const match = covers(name, host);
        if (match === 'exact') return c.context;
        if (match === 'wildcard') wildcard ??= c.context;
      }
    }
    return wildcard;
  }
}
