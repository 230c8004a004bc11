/**
 * The EKS Pod Identity Agent, as it runs on every node (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html):
 * at http://169.254.170.23/v1/credentials it takes the pod's projected service account token (the SDKs send the
 * content of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE as the Authorization header) and answers with credentials of the
 * role the pod's service account is associated with — what EKS Auth's AssumeRoleForPodIdentity gives the agent:
 * a session named `eks-<cluster>-<pod>-<uuid>` (at most 64 characters), reused while it has more than an hour left.
 * The association is looked up on each call, so UpdatePodIdentityAssociation's new role applies to the next
 * session, and a deleted association or pod gets no more. Session tags (eks-cluster-arn, kubernetes-namespace…)
 * are not attached: Berth's STS sessions carry none.
 *
 * 169.254.170.23 is made reachable as 169.254.170.2 is for ECS (link-local.ts): added to the engine's bridge
 * interface, one Berth holding port 80 and asking its peers about tokens of clusters it does not know. Where it
 * cannot be (not root, a remote engine), pods get this Berth's own listener in AWS_CONTAINER_CREDENTIALS_FULL_URI
 * instead — which the AWS SDKs refuse (they take plain http only for loopback and the ECS/EKS link-local hosts),
 * so it serves tools that fetch the URI themselves.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeDriver } from '../runtime/driver.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
import { POD_IDENTITY, podIdentityRole, verifyServiceAccountToken } from '../services/eks/index.js';
import { clusterByUid } from '../services/eks/store.js';
import { roleSessionFor } from '../services/sts/store/index.js';
import { CREDENTIALS_PORT, ensureLinkLocalAddress, peerUrls, POD_IDENTITY_ADDRESS, registerPeer } from './link-local.js';

export interface PodIdentityAgentDeps {
  sql: Statements;
  clock: Clock;
  log: Logger;
  driver: RuntimeDriver;
}

interface Answer {
  status: number;
  body: unknown;
}

const PEERS = 'pod-identity-agents';
const FORWARDED = 'x-berth-forwarded';
const TAKEOVER_RETRY_MS = 5_000;
/** STS session names are at most 64 characters. */
const SESSION_NAME_MAX = 64;

const refused = (status: number, message: string): Answer => ({ status, body: { message } });

export class PodIdentityAgent {
  private setup?: Promise<string | undefined>;
  private servers: http.Server[] = [];
  private ownUrl = '';
  private unregister?: () => void;
  private takeover?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly d: PodIdentityAgentDeps) {}

  /** The URI pods' AWS_CONTAINER_CREDENTIALS_FULL_URI must hold (the agent started on first need), or undefined if none works. */
  uri(): Promise<string | undefined> {
    this.setup ??= this.start().catch((err) => {
      this.d.log.warn('pod identity agent unavailable', { error: (err as Error).message });
      this.setup = undefined;
      return undefined;
    });
    return this.setup;
  }

  private async start(): Promise<string | undefined> {
    const gateway = await this.d.driver.hostAddressForContainers();
    if (!gateway) return undefined;
    if (!this.ownUrl) {
      const own = await this.listen(gateway, 0);
      this.ownUrl = `http://${gateway}:${(own.address() as AddressInfo).port}`;
    }
    const fallback = `${this.ownUrl}/v1/credentials`;
    if (gateway.startsWith('127.')) return fallback;
    const problem = await ensureLinkLocalAddress(gateway, POD_IDENTITY_ADDRESS);
    if (problem) {
      this.d.log.warn(`pod identity agent: ${problem}; pods get AWS_CONTAINER_CREDENTIALS_FULL_URI=${fallback}, which the AWS SDKs refuse`);
      // Asked again for the next pod: the bridge may just have been down (an interface without carrier is not listed).
      this.setup = undefined;
      return fallback;
    }
    this.unregister = registerPeer(this.ownUrl, PEERS);
    if (!(await this.claim())) {
      // Another Berth holds port 80 and asks this one (a peer) about tokens it does not know.
      this.d.log.info(`pod identity agent: ${POD_IDENTITY_ADDRESS}:${CREDENTIALS_PORT} is held by another Berth; answering through it`);
    }
    return POD_IDENTITY.fullUri;
  }

  /** Binds 169.254.170.23:80; while another Berth holds it, retries so one takes over when it exits. */
  private async claim(): Promise<boolean> {
    try {
      await this.listen(POD_IDENTITY_ADDRESS, CREDENTIALS_PORT);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      if (!this.takeover && !this.closed) {
        this.takeover = setInterval(() => {
          this.claim().then((ok) => {
            if (ok && this.takeover) {
              clearInterval(this.takeover);
              this.takeover = undefined;
            }
          }, () => undefined);
        }, TAKEOVER_RETRY_MS);
        this.takeover.unref();
      }
      return false;
    }
  }

  private listen(host: string, port: number): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err) => {
          this.d.log.error('pod identity credentials request failed', { error: (err as Error)?.stack ?? String(err) });
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"message":"internal error"}');
        },
      );
    });
    return new Promise((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        this.servers.push(server);
        if (this.closed) server.close();
        ok(server);
      });
    });
  }

  private async handle(req: http.IncomingMessage): Promise<Answer> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/v1/credentials') return refused(404, 'Not found');
    const token = req.headers.authorization;
    if (!token) return refused(400, 'Service account token cannot be empty');
    const now = this.d.clock.now();
    const bound = verifyServiceAccountToken(this.d.sql, token, POD_IDENTITY.audience, now);
    if (!bound) {
      if (!req.headers[FORWARDED]) {
        const peer = await this.askPeers(token);
        if (peer) return peer;
      }
      return refused(400, 'The service account token is not valid (InvalidTokenException)');
    }
    const assoc = podIdentityRole(this.d.sql, bound.clusterUid, bound.namespace, bound.serviceAccount);
    const cluster = clusterByUid(this.d.sql, bound.clusterUid);
    if (!assoc || !cluster) {
      return refused(400, `No pod identity association for service account ${bound.namespace}/${bound.serviceAccount} (ResourceNotFoundException)`);
    }
    const sessionName = `eks-${cluster.name}-${bound.podName}-${randomUUID()}`.slice(0, SESSION_NAME_MAX);
    // One session per pod and role: UpdatePodIdentityAssociation keeps the association, so the source names the role too.
    const source = `eks-pod-identity|${bound.podUid}|${assoc.associationArn}|${assoc.roleArn}`;
    const session = this.d.sql.db.transaction(() => roleSessionFor(this.d.sql, now, assoc.roleArn, sessionName, source))();
    return {
      status: 200,
      body: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        Token: session.sessionToken,
        AccountId: session.account,
        Expiration: new Date(session.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    };
  }

  private async askPeers(token: string): Promise<Answer | undefined> {
    const answers = await Promise.all(peerUrls(this.ownUrl, PEERS).map(async (peer) => {
      try {
        const res = await fetch(`${peer}/v1/credentials`, { headers: { authorization: token, [FORWARDED]: '1' }, signal: AbortSignal.timeout(2000) });
        return res.status === 200 ? { status: 200, body: await res.json() } : undefined;
      } catch {
        return undefined;
      }
    }));
    return answers.find((a) => a);
  }

  close() {
    this.closed = true;
    if (this.takeover) clearInterval(this.takeover);
    this.unregister?.();
    for (const s of this.servers) {
      s.close();
      s.closeAllConnections();
    }
  }
}
