/**
 * TLS termination for HTTPS (ALB) and TLS (NLB) listeners: the certificates a
 * listener serves (its default one and those added for SNI, from ACM) and its
 * security policy, turned into node:tls server options. The client's server
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

/**
 * A listener's certificates as TLS server options, built once per ListenerTls key: each certificate is served by a
 * TLS server of its own (data-plane.ts), picked by the name the client's ClientHello asks for (client-hello.ts).
 */
export class TlsContexts {
  readonly key: string;
  /** Server options for each usable certificate, the default one first; the policy alone when none is usable. */
  private readonly servers: { names: string[]; options: tls.SecureContextOptions }[] = [];
  private readonly base: tls.SecureContextOptions;

  constructor(t: ListenerTls, onError: (arn: string, err: unknown) => void) {
    this.key = t.key;
    this.base = { ...tlsSettings(t.policy), honorCipherOrder: true };
    for (const c of t.certificates) {
      const options = { ...this.base, key: c.privateKey, cert: c.chain ? `${c.certificate.trim()}\n${c.chain}` : c.certificate };
      try {
        tls.createSecureContext(options); // an unusable certificate is skipped here, not at a client's handshake
        this.servers.push({ names: c.names, options });
      } catch (err) {
        onError(c.arn, err);
      }
    }
  }

  /** Server options carrying the default certificate and the policy. */
  get options(): tls.SecureContextOptions {
    return this.optionsAt(0);
  }

  /** The options of the certificate `select` picked. */
  optionsAt(index: number): tls.SecureContextOptions {
    return this.servers[index]?.options ?? this.servers[0]?.options ?? this.base;
  }

  /** The certificate for a client's server name, as an index for `optionsAt`: 0, the default, when none covers it. */
  select(servername: string | undefined): number {
    if (!servername) return 0;
    const host = servername.toLowerCase();
    let wildcard = -1;
    for (const [i, c] of this.servers.entries()) {
      for (const name of c.names) {
        const match = covers(name, host);
        if (match === 'exact') return i;
        if (match === 'wildcard' && wildcard < 0) wildcard = i;
      }
    }
    return Math.max(wildcard, 0);
  }
}
