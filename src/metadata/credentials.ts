/**
 * The task role credentials endpoint, as ECS's agent serves it
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html):
 * a container of a task with a task role gets
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/<id>, and any AWS SDK
 * fetches http://169.254.170.2/v2/credentials/<id> for
 * {AccessKeyId, SecretAccessKey, Token, Expiration, RoleArn}: a session of the
 * role that Berth then recognises as the role (sts/store/sessions.ts).
 *
 * A task without a task role on an EC2 container instance whose instance
 * profile holds a role gets that role the same way, in sessions named after
 * the instance: on EC2 the SDK in such a task finds the instance role through
 * IMDS (169.254.169.254), which Berth does not serve (it is the host's own
 * metadata address when Berth runs on EC2); the identity the task calls AWS
 * with is the same.
 *
 * Where 169.254.170.2 cannot be made reachable (link-local.ts: not root, no
 * `ip`, a remote engine), containers get AWS_CONTAINER_CREDENTIALS_FULL_URI on
 * the bridge gateway plus AWS_CONTAINER_AUTHORIZATION_TOKEN instead (SDKs
 * accept a full URI only for loopback and ECS's link-local hosts unless it is
 * https, so this fallback serves tools that read the URI themselves).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Task } from '@aws-sdk/client-ecs';
import type { RuntimeDriver } from '../runtime/driver.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
import { ec2InstanceIdOf, findTaskDefinitionByArn, loadTaskByArn } from '../services/ecs/store/index.js';
import { findTaskCredential, hasLiveTaskCredentials, taskCredentialFor, taskRoleSession } from '../services/sts/store/index.js';
import { CREDENTIALS_ADDRESS, CREDENTIALS_PORT, ensureLinkLocalAddress, peerUrls, registerPeer } from './link-local.js';
import { accountOf, parseArn } from '../shared/arns.js';

/** EC2's door function (loaded on first need: EC2 is not needed before Berth is ready). */
export type InstanceRoleLookup = typeof import('../services/ec2/index.js').instanceRole;

export interface CredentialsDeps {
  sql: Statements;
  clock: Clock;
  log: Logger;
  driver: RuntimeDriver;
}

interface Setup {
  /** 'link-local': containers use 169.254.170.2; 'full-uri': this Berth's own listener with a token. */
  mode: 'link-local' | 'full-uri';
  ownUrl: string;
}

interface Answer {
  status: number;
  body: unknown;
}

const PROBE_PATH = '/_berth/credentials-endpoint';
const TAKEOVER_RETRY_MS = 5_000;
const FORWARDED = 'x-berth-forwarded';

/** ECS's agent's answer for an id it does not know (or whose task stopped). */
const notFound = (): Answer => ({ status: 400, body: { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' } });

/** The task role: a RunTask override wins over the task definition's. */
export function taskRoleArnOf(sql: Statements, task: Task): string | undefined {
  if (task.overrides?.taskRoleArn) return task.overrides.taskRoleArn;
  return task.taskDefinitionArn ? findTaskDefinitionByArn(sql, task.taskDefinitionArn)?.taskRoleArn : undefined;
}

/** The role of the EC2 instance a task was placed on (through its instance profile), if it has one. */
export function taskInstanceRole(sql: Statements, task: Task, instanceRole: InstanceRoleLookup): ReturnType<InstanceRoleLookup> {
  const instanceId = task.containerInstanceArn ? ec2InstanceIdOf(sql, task.containerInstanceArn) : undefined;
  if (!instanceId?.startsWith('i-')) return undefined;
  const arn = parseArn(task.containerInstanceArn!);
  return arn ? instanceRole({ sql, account: arn.account, region: arn.region }, instanceId) : undefined;
}

export class CredentialsEndpoint {
  private setup?: Promise<Setup | undefined>;
  private servers: http.Server[] = [];
  private unregister?: () => void;
  private takeover?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly d: CredentialsDeps) {
    // After a restart, adopted tasks' containers already hold credential ids: serve them again at once.
    if (hasLiveTaskCredentials(d.sql)) void this.ready();
  }

  /** The environment ECS injects for the task role (or the instance's): nothing when the task has neither. */
  async envFor(task: Task): Promise<Record<string, string>> {
    const taskRole = taskRoleArnOf(this.d.sql, task);
    const instance = taskRole || !task.containerInstanceArn ? undefined
      : taskInstanceRole(this.d.sql, task, (await import('../services/ec2/index.js')).instanceRole);
    const roleArn = taskRole ?? instance?.roleArn;
    if (!roleArn) return {};
    const setup = await this.ready();
    if (!setup) return {};
    const account = accountOf(task.taskArn!);
    const cred = taskCredentialFor(this.d.sql, this.d.clock.now(), task.taskArn!, account, roleArn, instance?.instanceId);
    if (setup.mode === 'link-local') return { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/${cred.id}` };
    return {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${setup.ownUrl}/v2/credentials/${cred.id}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: cred.token,
    };
  }

  /** How containers reach the endpoint (set up on first need), or undefined if they cannot. */
  ready(): Promise<Setup | undefined> {
    this.setup ??= this.start().catch((err) => {
      this.d.log.warn('task role credentials endpoint unavailable', { error: (err as Error).message });
      this.setup = undefined;
      return undefined;
    });
    return this.setup;
  }

  private async start(): Promise<Setup | undefined> {
    const gateway = await this.d.driver.hostAddressForContainers();
    if (!gateway) return undefined;
    const own = await this.listen(gateway, 0, false);
    const ownUrl = `http://${gateway}:${(own.address() as AddressInfo).port}`;
    // Containers on the host's loopback (the fake runtime) have no bridge to give 169.254.170.2 to.
    if (gateway.startsWith('127.')) return { mode: 'full-uri', ownUrl };
    const problem = await ensureLinkLocalAddress(gateway);
    if (problem) {
      this.d.log.warn(`task role credentials: ${problem}; containers get AWS_CONTAINER_CREDENTIALS_FULL_URI instead`, { url: ownUrl });
      return { mode: 'full-uri', ownUrl };
    }
    this.unregister = registerPeer(ownUrl);
    if (!(await this.claimLinkLocal()) && !(await this.berthAnswersLinkLocal())) {
      this.d.log.warn(`task role credentials: ${CREDENTIALS_ADDRESS}:${CREDENTIALS_PORT} is held by another program; containers get AWS_CONTAINER_CREDENTIALS_FULL_URI instead`);
      return { mode: 'full-uri', ownUrl };
    }
    return { mode: 'link-local', ownUrl };
  }

  /** Binds 169.254.170.2:80; while another Berth holds it, retries so one takes over when it exits. */
  private async claimLinkLocal(): Promise<boolean> {
    try {
      await this.listen(CREDENTIALS_ADDRESS, CREDENTIALS_PORT, true);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      if (!this.takeover && !this.closed) {
        this.takeover = setInterval(() => {
          this.claimLinkLocal().then((ok) => {
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

  private async berthAnswersLinkLocal(): Promise<boolean> {
    try {
      const res = await fetch(`http://${CREDENTIALS_ADDRESS}:${CREDENTIALS_PORT}${PROBE_PATH}`, { signal: AbortSignal.timeout(2000) });
      return res.ok && (await res.json()).berth === true;
    } catch {
      return false;
    }
  }

  private listen(host: string, port: number, shared: boolean): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      this.handle(req, shared).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err) => {
          this.d.log.error('credentials request failed', { error: (err as Error)?.stack ?? String(err) });
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"code":"InternalServerError","message":"internal error"}');
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

  private async handle(req: http.IncomingMessage, shared: boolean): Promise<Answer> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === PROBE_PATH) return { status: 200, body: { berth: true } };
    const m = /^\/v2\/credentials\/([\w-]{1,64})$/.exec(path);
    if (!m || req.method !== 'GET') return notFound();
    const local = await this.answer(m[1], req.headers.authorization);
    if (local || !shared || req.headers[FORWARDED]) return local ?? notFound();
    // Port 80 is shared by every Berth on this host: the id may be another one's.
    return (await this.askPeers(path)) ?? notFound();
  }

  /** The credentials for an id this Berth issued, while its task has not stopped. */
  private async answer(id: string, authorization: string | undefined): Promise<Answer | undefined> {
    const cred = findTaskCredential(this.d.sql, id);
    if (!cred) return undefined;
    const setup = await this.setup;
    if (setup?.mode === 'full-uri' && authorization !== cred.token) {
      return { status: 401, body: { code: 'AccessDenied', message: 'Authorization token does not match' } };
    }
    const row = loadTaskByArn(this.d.sql, cred.taskArn);
    if (!row || row.task.lastStatus === 'STOPPED') return notFound();
    const session = this.d.sql.db.transaction(() => taskRoleSession(this.d.sql, this.d.clock.now(), cred))();
    return {
      status: 200,
      body: {
        RoleArn: cred.roleArn,
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        Token: session.sessionToken,
        Expiration: new Date(session.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    };
  }

  private async askPeers(path: string): Promise<Answer | undefined> {
    const own = (await this.setup)?.ownUrl ?? '';
    const answers = await Promise.all(peerUrls(own).map(async (peer) => {
      try {
        const res = await fetch(`${peer}${path}`, { headers: { [FORWARDED]: '1' }, signal: AbortSignal.timeout(2000) });
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
