/**
 * The ECS container agent's own operations. "This action is only used by the Amazon ECS agent, and it is
 * not intended for use outside of the agent" (API reference of each). Berth runs tasks itself, with no
 * agent, so:
 *
 * - DiscoverPollEndpoint answers as ECS does, every endpoint being Berth's own (ECS sends the agent's
 *   communication endpoint and telemetry endpoint with a trailing slash, the Service Connect endpoint
 *   without: awscli's discover-poll-endpoint example). Nothing polls it: it only tells a caller where
 *   Berth is.
 * - SubmitTaskStateChange, SubmitContainerStateChange and SubmitAttachmentStateChanges are refused with
 *   AccessDeniedException (one of the errors ECS documents for them): on ECS only the agent of the
 *   task's container instance reports its state, and in Berth no caller is that agent — the task's state
 *   is what Berth observes on the container engine. Answering `acknowledgment: ACK` would claim a state
 *   change was recorded when none was.
 */
import type {
  DiscoverPollEndpointRequest,
  DiscoverPollEndpointResponse,
  SubmitAttachmentStateChangesRequest,
  SubmitContainerStateChangeRequest,
  SubmitTaskStateChangeRequest,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';

export function discoverPollEndpoint(ctx: RequestContext, _input: DiscoverPollEndpointRequest): DiscoverPollEndpointResponse {
  const base = (ctx.registry?.endpoint() || 'http://127.0.0.1:4566').replace(/\/+$/, '');
  return { endpoint: `${base}/`, telemetryEndpoint: `${base}/`, serviceConnectEndpoint: base };
}

function agentOnly(ctx: RequestContext, action: string): AwsError {
  return new AwsError(
    'AccessDeniedException',
    `User: ${ctx.principalArn} is not authorized to perform: ecs:${action}: only the Amazon ECS container agent of a task's container instance submits its state changes, and Berth runs its tasks without one.`,
  );
}

export function submitTaskStateChange(ctx: RequestContext, _input: SubmitTaskStateChangeRequest): never {
  throw agentOnly(ctx, 'SubmitTaskStateChange');
}

export function submitContainerStateChange(ctx: RequestContext, _input: SubmitContainerStateChangeRequest): never {
  throw agentOnly(ctx, 'SubmitContainerStateChange');
}

export function submitAttachmentStateChanges(ctx: RequestContext, _input: SubmitAttachmentStateChangesRequest): never {
  throw agentOnly(ctx, 'SubmitAttachmentStateChanges');
}
