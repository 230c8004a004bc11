/**
 * Regions and availability zones: DescribeRegions, DescribeAvailabilityZones.
 * Zone letters follow what new accounts see (six zones in us-east-1, four in
 * us-west-2, three in most regions); zone ids follow AWS's `<code>-az<N>` form.
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 */
import type {
  AvailabilityZone,
  DescribeAvailabilityZonesRequest,
  DescribeAvailabilityZonesResult,
  DescribeRegionsRequest,
  DescribeRegionsResult,
  Region,
} from '@aws-sdk/client-ec2';
import { invalidParameterValue } from './errors.js';
import { compileFilters, type FilterFields } from './filters.js';
import type { Scope } from './store.js';

/** Regions enabled for every account. */
const STANDARD_REGIONS = [
  'ap-south-1', 'eu-north-1', 'eu-west-3', 'eu-west-2', 'eu-west-1', 'ap-northeast-3', 'ap-northeast-2', 'ap-northeast-1',
  'ca-central-1', 'sa-east-1', 'ap-southeast-1', 'ap-southeast-2', 'eu-central-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
];

/** Regions an account must opt in to. */
const OPT_IN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ca-west-1',
  'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
];

const ZONE_LETTERS: Record<string, string> = {
  'us-east-1': 'abcdef',
  'us-west-2': 'abcd',
  'us-west-1': 'ac',
  'ap-northeast-1': 'acd',
  'ap-northeast-2': 'abcd',
  'ca-central-1': 'abd',
};

const DIRECTION: Record<string, string> = {
  east: 'e', west: 'w', north: 'n', south: 's', central: 'c',
  northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw',
};

/** use1 for us-east-1, apne1 for ap-northeast-1: the prefix of zone ids. */
export function regionCode(region: string): string {
  const [area, dir, n] = region.split('-');
  return `${area}${DIRECTION[dir] ?? dir}${n ?? ''}`;
}

export interface Zone {
  name: string;
  id: string;
}

export function zonesOf(region: string): Zone[] {
  const letters = ZONE_LETTERS[region] ?? 'abc';
  const code = regionCode(region);
  return [...letters].map((l, i) => ({ name: `${region}${l}`, id: `${code}-az${i + 1}` }));
}

export function zoneByName(region: string, name: string): Zone | undefined {
  return zonesOf(region).find((z) => z.name === name);
}

export function zoneById(region: string, id: string): Zone | undefined {
  return zonesOf(region).find((z) => z.id === id);
}

function zoneDoc(region: string, z: Zone): AvailabilityZone {
  return {
    State: 'available',
    OptInStatus: 'opt-in-not-required',
    Messages: [],
    RegionName: region,
    ZoneName: z.name,
    ZoneId: z.id,
    GroupName: region,
    NetworkBorderGroup: region,
    ZoneType: 'availability-zone',
    GroupLongName: region,
  };
}

const ZONE_FIELDS: FilterFields<AvailabilityZone> = {
  'group-name': (z) => z.GroupName,
  'group-long-name': (z) => z.GroupLongName,
  'message': (z) => z.Messages?.map((m) => m.Message),
  'network-border-group': (z) => z.NetworkBorderGroup,
  'opt-in-status': (z) => z.OptInStatus,
  'parent-zone-id': (z) => z.ParentZoneId,
  'parent-zone-name': (z) => z.ParentZoneName,
  'region-name': (z) => z.RegionName,
  'state': (z) => z.State,
  'zone-id': (z) => z.ZoneId,
  'zone-type': (z) => z.ZoneType,
  'zone-name': (z) => z.ZoneName,
};

export function describeAvailabilityZones(s: Scope, input: DescribeAvailabilityZonesRequest): DescribeAvailabilityZonesResult {
  const zones = zonesOf(s.region);
  for (const name of input.ZoneNames ?? []) {
    if (!zones.some((z) => z.name === name)) throw invalidParameterValue(`The zone '${name}' does not exist.`);
  }
  for (const id of input.ZoneIds ?? []) {
    if (!zones.some((z) => z.id === id)) throw invalidParameterValue(`The zone id '${id}' does not exist.`);
  }
  const match = compileFilters(input.Filters, ZONE_FIELDS);
  const wanted = (z: Zone) =>
    (!input.ZoneNames?.length && !input.ZoneIds?.length) || input.ZoneNames?.includes(z.name) || input.ZoneIds?.includes(z.id);
  return { AvailabilityZones: zones.filter(wanted).map((z) => zoneDoc(s.region, z)).filter(match) };
}

function regionDoc(name: string, current: string): Region {
  const optIn = OPT_IN_REGIONS.includes(name);
  // The region a caller is using counts as opted in.
  const status = !optIn ? 'opt-in-not-required' : name === current ? 'opted-in' : 'not-opted-in';
  return { RegionName: name, Endpoint: `ec2.${name}.amazonaws.com`, OptInStatus: status };
}

const REGION_FIELDS: FilterFields<Region> = {
  endpoint: (r) => r.Endpoint,
  'opt-in-status': (r) => r.OptInStatus,
  'region-name': (r) => r.RegionName,
};

export function describeRegions(s: Scope, input: DescribeRegionsRequest): DescribeRegionsResult {
  const names = [...STANDARD_REGIONS, ...OPT_IN_REGIONS];
  if (!names.includes(s.region)) names.push(s.region);
  const all = names.map((n) => regionDoc(n, s.region));
  const unknown = (input.RegionNames ?? []).filter((n) => !names.includes(n));
  if (unknown.length) throw invalidParameterValue(`Invalid region(s): ${unknown.join(', ')}`);
  const match = compileFilters(input.Filters, REGION_FIELDS);
  const regions = all
    .filter((r) => (input.RegionNames?.length ? input.RegionNames.includes(r.RegionName!) : input.AllRegions || r.OptInStatus !== 'not-opted-in'))
    .filter(match);
  return { Regions: regions };
}
