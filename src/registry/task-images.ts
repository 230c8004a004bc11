/**
 * How a task's image reaches the engine: images in Berth's registry (named
 * `127.0.0.1:<port>/<account>/<region>/<repo>`, or as on AWS
 * `<account>.dkr.ecr.<region>.amazonaws.com/<repo>`) are pulled with a token
 * Berth issues for the task's account, as ECS pulls from ECR with the
 * execution role. Other images are left as they are. With --enforce-iam the
 * token names the execution role (`pullAs`), so the registry authorizes the
 * pull against its policies, as ECR does (issue 23).
 */
import type { RegistryAuth } from '../runtime/driver.js';
import { issueToken, type TokenPrincipal } from './auth.js';
import { localImageReference, registryHost } from './names.js';
import type { Registry } from './index.js';

export function resolveTaskImage(
  registry: Registry, account: string, image: string, pullAs?: TokenPrincipal,
): { ref: string; auth?: RegistryAuth } {
  const endpoint = registry.endpoint();
  const ref = localImageReference(endpoint, image);
  const host = registryHost(endpoint);
  if (!ref.startsWith(`${host}/`)) return { ref };
  const token = Buffer.from(issueToken(registry.secret, account, registry.clock.now(), pullAs).authorizationToken, 'base64').toString('utf8');
  return { ref, auth: { username: 'AWS', password: token.slice('AWS:'.length), serverAddress: host } };
}
