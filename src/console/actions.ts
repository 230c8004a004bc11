/**
 * What a console user changes (issue 21): scale a service, force a new deployment, stop a task, drain or activate a
 * container instance, delete an image. Each is the AWS operation it stands for, run by Berth's one implementation of
 * it (the internal door app.ts hands over as `act`): the same validation, the same errors, the same events. The
 * console has no IAM identity of its own: its token is Berth's admin credential, so it acts as the account's root
 * user, as someone signed in to the AWS console as root does (with --enforce-iam root is allowed, as on the API).
 *
 *   POST /_berth/api/actions/<service>/<Operation>   {"account": "…", "region": "…", "input": {…}}
 *   → 200 {"output": {…}} | 4xx/5xx {"error": "<AWS code>", "message": "…"}
 *
 * Only the operations below, with only the members listed, so the console is not a general proxy for the API.
 * A state-changing request must carry the console token in `Authorization: Bearer` (always, loopback included: a
 * cross-site page cannot read it, nor set that header without a preflight Berth never grants), come from the
 * console's own origin when the browser says where it comes from, and be JSON.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type ActResult = { output: unknown } | { error: { code: string; message: string; status: number } };
/** Runs one AWS operation as the account's root user (app.ts: the internal door). */
export type Act = (account: string, region: string, service: string, operation: string, input: Record<string, unknown>) => Promise<ActResult>;

/** `<service>/<Operation>` → the input members the console may send. */
export const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'ecs/UpdateService': ['cluster', 'service', 'desiredCount', 'forceNewDeployment'],
  'ecs/StopTask': ['cluster', 'task', 'reason'],
  'ecs/UpdateContainerInstancesState': ['cluster', 'containerInstances', 'status'],
  'ecr/BatchDeleteImage': ['repositoryName', 'imageIds'],
};

const MAX_BODY = 64 * 1024;

export type Refusal = { status: number; error: string; message: string };

/** Why a state-changing request is refused before it is read (undefined: go on). */
export function refuseAction(req: IncomingMessage, token: string): Refusal | undefined {
  const auth = req.headers.authorization ?? '';
  const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '');
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    return { status: 401, error: 'Unauthorized', message: 'Console actions need the console token (Authorization: Bearer; GET /_berth/api/session gives it to the console\'s own pages).' };
  }
  // Browsers say where a request comes from: only the console's own pages may change anything.
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if ((site && site !== 'same-origin' && site !== 'none') || (origin && !sameOrigin(origin, req.headers.host))) {
    return { status: 403, error: 'Forbidden', message: 'Console actions are refused from another site.' };
  }
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return { status: 415, error: 'UnsupportedMediaType', message: 'Console actions take application/json.' };
  }
  return undefined;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return !!host && new URL(origin).host === host;
  } catch {
    return false;
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const refusal = (status: number, error: string, message: string): ActResult => ({ error: { code: error, message, status } });

/** Reads, checks and runs one action. */
export async function runAction(req: IncomingMessage, name: string, act: Act): Promise<ActResult> {
  const allowed = ACTIONS[name];
  if (!allowed) return refusal(404, 'NotFound', `The console has no action ${name}.`);
  const text = await readBody(req);
  if (text === undefined) return refusal(413, 'PayloadTooLarge', `A console action's body is at most ${MAX_BODY} bytes.`);
  let body: { account?: unknown; region?: unknown; input?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return refusal(400, 'ValidationException', 'The body is not JSON.');
  }
  const { account, region, input } = body ?? {};
  if (typeof account !== 'string' || !/^\d{12}$/.test(account)) return refusal(400, 'ValidationException', 'account must be a 12-digit account id.');
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return refusal(400, 'ValidationException', 'region must be a region name.');
  if (!input || typeof input !== 'object' || Array.isArray(input)) return refusal(400, 'ValidationException', 'input must be an object.');
  const extra = Object.keys(input).filter((k) => !allowed.includes(k));
  if (extra.length) return refusal(400, 'ValidationException', `The console does not send ${extra.join(', ')} with ${name}.`);
  const [service, operation] = name.split('/');
  return act(account, region, service, operation, input as Record<string, unknown>);
}
