/**
 * Instances as EC2 describes them: the stored Instance with its tags, its
 * network interfaces read live from their ENIs, grouped into reservations
 * (one per RunInstances call) in launch order.
 */
import type { Instance, InstanceNetworkInterface, NetworkInterface, Reservation } from '@aws-sdk/client-ec2';
import type { InstanceRecord } from './instance-records.js';
import { getDoc, getTags, type Scope, type Stored } from './store.js';

function nicView(eni: NetworkInterface): InstanceNetworkInterface {
  const a = eni.Attachment;
  return {
    Attachment: a && {
      AttachTime: a.AttachTime, AttachmentId: a.AttachmentId, DeleteOnTermination: a.DeleteOnTermination, DeviceIndex: a.DeviceIndex,
      Status: a.Status, NetworkCardIndex: a.NetworkCardIndex ?? 0,
    },
    Description: eni.Description ?? '',
    Groups: eni.Groups,
    Ipv6Addresses: [],
    MacAddress: eni.MacAddress,
    NetworkInterfaceId: eni.NetworkInterfaceId,
    OwnerId: eni.OwnerId,
    PrivateDnsName: eni.PrivateDnsName,
    PrivateIpAddress: eni.PrivateIpAddress,
    PrivateIpAddresses: eni.PrivateIpAddresses?.map((p) => ({ Primary: p.Primary, PrivateDnsName: p.PrivateDnsName, PrivateIpAddress: p.PrivateIpAddress })),
    SourceDestCheck: eni.SourceDestCheck,
    Status: eni.Status,
    SubnetId: eni.SubnetId,
    VpcId: eni.VpcId,
    InterfaceType: eni.InterfaceType ?? 'interface',
  };
}

export function viewInstance(s: Scope, rec: InstanceRecord): Instance {
  const eni = rec.eniId ? getDoc<NetworkInterface>(s, 'network-interface', rec.eniId) : undefined;
  const tags = getTags(s, rec.instance.InstanceId!);
  return {
    ...rec.instance,
    NetworkInterfaces: eni ? [nicView(eni)] : [],
    ...(eni ? { SecurityGroups: eni.Groups?.map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName })) } : {}),
    ...(tags.length ? { Tags: tags } : {}),
  };
}

/** Instances grouped into their reservations, in the order given. */
export function viewReservations(s: Scope, stored: Stored<InstanceRecord>[], view: (r: InstanceRecord) => Instance = (r) => viewInstance(s, r)): Reservation[] {
  const out = new Map<string, Reservation>();
  for (const { doc } of stored) {
    let r = out.get(doc.reservationId);
    if (!r) {
      r = { ReservationId: doc.reservationId, OwnerId: s.account, Groups: [], Instances: [] };
      out.set(doc.reservationId, r);
    }
    r.Instances!.push(view(doc));
  }
  return [...out.values()];
}
