/** One codec per AWS protocol. */
import type { ProtocolName } from './catalog.js';
import type { Codec } from './codec.js';
import { AwsJsonCodec } from './aws-json.js';
import { AwsQueryCodec } from './aws-query.js';
import { Ec2QueryCodec } from './ec2-query.js';
import { RestJsonCodec } from './rest-json.js';
import { RestXmlCodec } from './rest-xml.js';
import { RpcV2CborCodec } from './rpc-v2-cbor.js';

const CODECS: Record<ProtocolName, Codec> = {
  awsJson1_0: new AwsJsonCodec('1.0'),
  awsJson1_1: new AwsJsonCodec('1.1'),
  awsQuery: new AwsQueryCodec(),
  ec2Query: new Ec2QueryCodec(),
  restJson1: new RestJsonCodec(),
  restXml: new RestXmlCodec(),
  rpcV2Cbor: new RpcV2CborCodec(),
};

export function codecFor(protocol: ProtocolName): Codec {
  return CODECS[protocol];
}
