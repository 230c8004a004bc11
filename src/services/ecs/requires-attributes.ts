/**
 * The container-instance attributes a task definition requires, as ECS derives
 * them at registration (reported in `requiresAttributes`, used for EC2
 * placement). Names follow the agent's capability attributes
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-versions.html
 * and the task-definition parameter pages that name a Docker Remote API version).
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';

const DOCKER_API = 'com.amazonaws.ecs.capability.docker-remote-api.';
const ECR_IMAGE_RE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/** A private ECR image: pulling it needs ECR auth (and, on Fargate, an execution role). */
export const isEcrImage = (image: string | undefined) => !!image && ECR_IMAGE_RE.test(image);

export function requiredAttributes(def: TaskDefinition): string[] {
  const out = new Set<string>();
  const add = (...names: string[]) => names.forEach((n) => out.add(n));
  const execRole = !!def.executionRoleArn;

  if (def.taskRoleArn) add('com.amazonaws.ecs.capability.task-iam-role');
  if (def.networkMode === 'awsvpc') add(`${DOCKER_API}1.18`, 'ecs.capability.task-eni');
  if (def.pidMode || def.ipcMode) add('ecs.capability.pid-ipc-namespace-sharing');
  if (def.proxyConfiguration) add('ecs.capability.cni-plugin-version.v1');

  for (const c of def.containerDefinitions ?? []) {
    if (isEcrImage(c.image)) {
      add('com.amazonaws.ecs.capability.ecr-auth');
      if (execRole) add('ecs.capability.execution-role-ecr-pull');
    }
    if (c.repositoryCredentials) add('com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager');
    const log = c.logConfiguration;
    if (log?.logDriver) {
      add(`com.amazonaws.ecs.capability.logging-driver.${log.logDriver}`, `${DOCKER_API}1.18`);
      if (log.options && Object.keys(log.options).length) add(`${DOCKER_API}1.19`);
      if (log.logDriver === 'awslogs' && execRole) add('ecs.capability.execution-role-awslogs');
    }
    if (c.dockerLabels && Object.keys(c.dockerLabels).length) add(`${DOCKER_API}1.18`);
    if (c.ulimits?.length) add(`${DOCKER_API}1.18`);
    if (c.healthCheck) add('ecs.capability.container-health-check', `${DOCKER_API}1.24`);
    if (c.linuxParameters?.initProcessEnabled) add(`${DOCKER_API}1.25`);
    if (c.dependsOn?.length || c.startTimeout !== undefined || c.stopTimeout !== undefined) add('ecs.capability.container-ordering');
    for (const s of [...(c.secrets ?? []), ...(log?.secretOptions ?? [])]) {
      const fromAsm = s.valueFrom?.includes(':secretsmanager:');
      add(fromAsm ? 'ecs.capability.secrets.asm.environment-variables' : 'ecs.capability.secrets.ssm.environment-variables');
      if (execRole) add(fromAsm ? 'ecs.capability.execution-role-secrets-asm' : 'ecs.capability.execution-role-secrets-ssm');
    }
    if (c.environmentFiles?.length) add('ecs.capability.env-files.s3');
    if (c.firelensConfiguration?.type) add(`ecs.capability.firelens.${c.firelensConfiguration.type}`);
    if (c.systemControls?.length) add(`${DOCKER_API}1.30`);
    if (c.resourceRequirements?.some((r) => r.type === 'GPU')) add('ecs.capability.gpu');
  }
  for (const v of def.volumes ?? []) {
    if (v.efsVolumeConfiguration) {
      add('ecs.capability.efs');
      const efs = v.efsVolumeConfiguration;
      if (efs.transitEncryption === 'ENABLED' || efs.authorizationConfig) add('ecs.capability.efsAuth');
    }
    if (v.dockerVolumeConfiguration) {
      add(`${DOCKER_API}1.25`);
      add(`ecs.capability.docker-plugin.${v.dockerVolumeConfiguration.driver ?? 'local'}`);
    }
    if (v.fsxWindowsFileServerVolumeConfiguration) add('ecs.capability.fsxWindowsFileServer');
  }
  return [...out];
}
