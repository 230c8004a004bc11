/**
 * Load balancer Capacity Unit (LCU) reservations: DescribeCapacityReservation and
 * ModifyCapacityReservation, for Application and Network Load Balancers.
 * Berth has no capacity to run out of, so a request is fulfilled at once: every
 * zone of the load balancer reports `provisioned` with its even share of the
 * reserved units (never `pending`, so CapacityReservationPending never arises).
 * Increases are unlimited; a decrease (a lower value, or a reset) is counted
 * against two per UTC day, as ELB documents.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyCapacityReservation.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/request-capacity-unit-reservation.html
 */
import type {
  DescribeCapacityReservationInput,
  DescribeCapacityReservationOutput,
  ModifyCapacityReservationInput,
  ModifyCapacityReservationOutput,
  ZonalCapacityReservationState,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { operationNotPermitted, validationError } from './errors.js';
import { requireLoadBalancer } from './lookup.js';
import { capacityReservationOf, listenersOf, saveCapacityReservation, type StoredReservation } from './store.js';
import type { LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';

const DECREASES_PER_DAY = 2;
const DAY_MS = 86_400_000;

const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

function view(lb: LoadBalancer, r: StoredReservation | undefined, now: number): DescribeCapacityReservationOutput {
  const used = r && r.day === dayOf(now) ? r.decreases : 0;
  const out: DescribeCapacityReservationOutput = { DecreaseRequestsRemaining: DECREASES_PER_DAY - used, CapacityReservationState: [] };
  if (!r) return out;
  out.LastModifiedTime = new Date(r.modifiedAt);
  if (r.capacityUnits === undefined) return out;
  out.MinimumLoadBalancerCapacity = { CapacityUnits: r.capacityUnits };
  const zones = lb.AvailabilityZones ?? [];
  // Capacity is reserved for the region and spread evenly across the load balancer's zones.
  const share = zones.length ? r.capacityUnits / zones.length : r.capacityUnits;
  out.CapacityReservationState = zones.map((z): ZonalCapacityReservationState => ({
    State: { Code: 'provisioned' },
    AvailabilityZone: z.ZoneName,
    EffectiveCapacityUnits: share,
  }));
  return out;
}

function requireReservable(ctx: RequestContext, arn: string | undefined) {
  const lb = requireLoadBalancer(ctx, arn);
  if (lb.doc.Type === 'gateway') throw operationNotPermitted('Capacity reservation is not supported for Gateway Load Balancers');
  return lb;
}

export function describeCapacityReservation(ctx: RequestContext, input: DescribeCapacityReservationInput): DescribeCapacityReservationOutput {
  const lb = requireReservable(ctx, input.LoadBalancerArn);
  return view(lb.doc, capacityReservationOf(ctx, lb.arn), ctx.clock.now());
}

export function modifyCapacityReservation(ctx: RequestContext, input: ModifyCapacityReservationInput): ModifyCapacityReservationOutput {
  const lb = requireReservable(ctx, input.LoadBalancerArn);
  const units = input.MinimumLoadBalancerCapacity?.CapacityUnits;
  const reset = input.ResetCapacityReservation === true;
  if (units === undefined && !reset) {
    throw validationError('You must specify either MinimumLoadBalancerCapacity or ResetCapacityReservation');
  }
  if (units !== undefined && reset) {
    throw validationError('You cannot specify both MinimumLoadBalancerCapacity and ResetCapacityReservation');
  }
  if (units !== undefined && (!Number.isInteger(units) || units < 1)) {
    throw validationError(`Capacity units '${units}' must be a positive integer`);
  }
  // LCU reservation is not supported on Network Load Balancers using TLS listeners.
  if (units !== undefined && lb.doc.Type === 'network' && listenersOf(ctx.sql, lb.arn).some((l) => l.doc.Protocol === 'TLS')) {
    throw operationNotPermitted('Capacity reservation is not supported for Network Load Balancers with TLS listeners');
  }
  const now = ctx.clock.now();
  const before = capacityReservationOf(ctx, lb.arn);
  const today = dayOf(now);
  const used = before && before.day === today ? before.decreases : 0;
  const current = before?.capacityUnits;
  const isDecrease = current !== undefined && (reset || (units !== undefined && units < current));
  if (isDecrease && used >= DECREASES_PER_DAY) {
    throw new AwsError('CapacityDecreaseRequestLimitExceeded', `You can decrease the reserved capacity only ${DECREASES_PER_DAY} times per day`);
  }
  const next: StoredReservation = {
    ...(reset ? {} : { capacityUnits: units }),
    modifiedAt: now,
    day: today,
    decreases: used + (isDecrease ? 1 : 0),
  };
  saveCapacityReservation(ctx, lb.arn, next);
  return view(lb.doc, next, now);
}
