/**
 * The path token in ECS_CONTAINER_METADATA_URI_V4: it names the task and
 * container and is signed with a per-data-dir secret, so a container can only
 * read its own task's metadata and the URL stays valid across Berth restarts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface MetadataSubject {
  taskArn: string;
  containerName: string;
}

export function makeToken(secret: string, s: MetadataSubject): string {
  const body = Buffer.from(`${s.taskArn}|${s.containerName}`).toString('base64url');
  const mac = createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
  return `${body}.${mac}`;
}

export function readToken(secret: string, token: string): MetadataSubject | undefined {
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const body = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1));
  const want = Buffer.from(createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22));
  if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
  const [taskArn, containerName] = Buffer.from(body, 'base64url').toString('utf8').split('|');
  return taskArn && containerName ? { taskArn, containerName } : undefined;
}
