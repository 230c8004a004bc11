/**
 * ec2Query: awsQuery's form input with EC2's naming (ec2QueryName, else the
 * capitalised member or xmlName; lists always flattened as Name.N), and EC2's
 * own XML: no Result wrapper, a <requestId> first, list items as the model
 * names them (<item>), and errors as
 *   <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
 * https://smithy.io/2.0/aws/protocols/aws-ec2-query-protocol.html
 */
import { actionOf, invalidAction, readQueryRequest } from './aws-query.js';
import type { Codec, ResponseContext, WireRequest, WireResponse } from './codec.js';
import type { AwsError } from './errors.js';
import { errorShape, errorStatus, queryErrorCode } from './error-shapes.js';
import type { Operation, ServiceModel } from './model.js';
import { writeMembers } from './xml-values.js';
import { element, textElement, XML_DECLARATION } from './xml.js';

const CONTENT_TYPE = 'text/xml;charset=UTF-8';

/** EC2 writes its namespace with a trailing slash; the model's lacks it. */
function namespaceOf(model: ServiceModel): string {
  const ns = model.xmlNamespace ?? `http://ec2.amazonaws.com/doc/${model.version}`;
  return ns.endsWith('/') ? ns : `${ns}/`;
}

export class Ec2QueryCodec implements Codec {
  resolveOperation(req: WireRequest): string | undefined {
    return actionOf(req);
  }

  parseInput(req: WireRequest, op: Operation): Record<string, any> {
    return readQueryRequest(req, op, { ec2: true });
  }

  serializeOutput(output: unknown, op: Operation, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const { attrs, content } = writeMembers(op.output, (output ?? {}) as Record<string, unknown>);
    const body = XML_DECLARATION + element(
      `${op.name}Response`,
      textElement('requestId', ctx.requestId) + content,
      { xmlns: namespaceOf(model), ...attrs },
    );
    return { status: 200, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': ctx.requestId }, body };
  }

  serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse {
    // EC2 models no error shapes; a code thrown by a provider is the wire code.
    const shape = errorShape(model, err.code);
    const status = errorStatus(err, shape, true);
    const body = XML_DECLARATION + element(
      'Response',
      element('Errors', element('Error', textElement('Code', queryErrorCode(err, shape)) + textElement('Message', err.message))) +
        textElement('RequestID', ctx.requestId),
    );
    return { status, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': ctx.requestId }, body };
  }

  unknownOperation(name: string | undefined): AwsError {
    return invalidAction(name);
  }
}
