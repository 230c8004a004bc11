/** The environment ECS injects into every container of a task. */
import type { Task } from '@aws-sdk/client-ecs';
import { regionOf } from '../shared/arns.js';

export function taskEnvironment(task: Task, metadataUrl: string | undefined): Record<string, string> {
  const region = regionOf(task.taskArn ?? '');
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: task.launchType === 'FARGATE' ? 'AWS_ECS_FARGATE' : 'AWS_ECS_EC2',
    ...(metadataUrl ? { ECS_CONTAINER_METADATA_URI_V4: metadataUrl, ECS_CONTAINER_METADATA_URI: metadataUrl } : {}),
  };
}
