/**
 * restXml (Route 53): the HTTP bindings of restJson1 with XML bodies. A request
 * body is the input structure (root element name not checked, as the SDKs name
 * it after the input shape) or the httpPayload member; a response body is
 * <OpResponse xmlns="…"> (or the output's xmlName) or the payload member.
 * Errors: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
 * https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html
 */
import { errorResponseXml } from './aws-query.js';
import type { Codec, ResponseContext, WireRequest, WireResponse } from './codec.js';
import { AwsError } from './errors.js';
import { bodyMembers, isBound, matchOperation, payloadMember, readBindings, writeBindings } from './http-bindings.js';
import type { Operation, ServiceModel } from './model.js';
import type { Member } from './schema.js';
import { readXmlStructure, readXmlValue, writeElement, writeMembers } from './xml-values.js';
import { element, parseXml, XML_DECLARATION, XmlSyntaxError, type XmlNode } from './xml.js';

const XML_TYPE = 'text/xml';

function parseBody(body: Buffer, model: ServiceModel): XmlNode | undefined {
  const text = body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return parseXml(text);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    // The service's own validation error, so SDKs surface a modeled exception.
    throw new AwsError(model.entry.validationError, `The request body is not well-formed XML: ${e.message}.`, { status: 400 });
  }
}

function readPayload(member: Member, body: Buffer, model: ServiceModel): unknown {
  if (!body.length) return undefined;
  if (member.shape.kind === 'blob') return body;
  if (member.shape.kind === 'string') return body.toString('utf8');
  const root = parseBody(body, model);
  return root ? readXmlValue(member.shape, member.traits, root) : undefined;
}

export class RestXmlCodec implements Codec {
  resolveOperation(req: WireRequest, model: ServiceModel): string | undefined {
    return matchOperation(req, model)?.name;
  }

  parseInput(req: WireRequest, op: Operation, model: ServiceModel): Record<string, any> {
    const input = readBindings(req, op);
    const payload = payloadMember(op.input);
    if (payload) {
      const v = readPayload(payload, req.body, model);
      if (v !== undefined) input[payload.name] = v;
      return input;
    }
    if (!bodyMembers(op.input).length) return input;
    const root = parseBody(req.body, model);
    if (root) Object.assign(input, readXmlStructure(op.input, root, (m) => !isBound(m)));
    return input;
  }

  serializeOutput(output: unknown, op: Operation, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const value = (output ?? {}) as Record<string, unknown>;
    const headers: Record<string, string> = { 'content-type': XML_TYPE, 'x-amzn-requestid': ctx.requestId };
    const payload = payloadMember(op.output);
    const raw = payload ? this.payloadBody(payload, value[payload.name], model, headers) : undefined;
    // After the payload's default content type, so a bound Content-Type member wins.
    const status = writeBindings(op.output, value, headers) ?? op.http?.code ?? 200;
    if (raw !== undefined) return { status, headers, body: raw };
    if (!bodyMembers(op.output).length) return { status, headers, body: '' };
    const { attrs, content } = writeMembers(op.output, value, isBound);
    const name: string = op.output.traits.xmlName ?? `${op.name}Response`;
    const body = XML_DECLARATION + element(name, content, { xmlns: model.xmlNamespace, ...attrs });
    return { status, headers, body };
  }

  private payloadBody(member: Member, value: unknown, model: ServiceModel, headers: Record<string, string>): string | Buffer {
    const media: string | undefined = member.traits.mediaType;
    if (value === undefined || value === null) return '';
    if (member.shape.kind === 'blob') {
      headers['content-type'] = media ?? 'application/octet-stream';
      return typeof value === 'string' ? Buffer.from(value) : Buffer.from(value as Uint8Array);
    }
    if (member.shape.kind === 'string') {
      headers['content-type'] = media ?? 'text/plain';
      return String(value);
    }
    // The payload element is named by its xmlName, else its shape's name.
    const name: string = member.traits.xmlName ?? member.shape.name;
    const traits = member.traits.xmlNamespace || !model.xmlNamespace ? member.traits : { ...member.traits, xmlNamespace: ['', model.xmlNamespace] };
    return XML_DECLARATION + writeElement(name, member.shape, traits, value);
  }

  serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const { status, body, shape } = errorResponseXml(err, model, ctx.requestId, model.xmlNamespace);
    const headers: Record<string, string> = { 'content-type': XML_TYPE, 'x-amzn-requestid': ctx.requestId };
    if (shape && err.fields) writeBindings(shape, err.fields, headers);
    return { status, headers, body: XML_DECLARATION + body };
  }

  unknownOperation(_name: string | undefined, model: ServiceModel): AwsError {
    return new AwsError('UnknownOperationException', `No ${model.entry.id} operation matches this method and path.`, { status: 404 });
  }
}
