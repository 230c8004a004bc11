/**
 * awsQuery (STS, ELBv2; SQS and CloudWatch when a client speaks query to them):
 * form-encoded `Action`, `Version` and flattened parameters in (POST body or
 * query string), XML out:
 *   <OpResponse xmlns="…"><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>
 * Errors: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>,
 * with the awsQueryError code and status when the error shape declares them.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import type { Codec, ResponseContext, WireRequest, WireResponse } from './codec.js';
import { AwsError } from './errors.js';
import { errorShape, errorStatus, messageMemberName, queryErrorCode } from './error-shapes.js';
import type { Operation, ServiceModel } from './model.js';
import { parseForm, readQueryInput, type QueryStyle } from './query-values.js';
import type { StructureShape } from './schema.js';
import { writeMembers } from './xml-values.js';
import { element, textElement } from './xml.js';

const RESERVED = new Set(['Action', 'Version']);
const parsedParams = new WeakMap<WireRequest, Array<[string, string]>>();

/** Query-string and form-body parameters, parsed once per request. */
export function queryParams(req: WireRequest): Array<[string, string]> {
  let params = parsedParams.get(req);
  if (params) return params;
  params = [...req.query];
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (req.body.length && (!type || type.startsWith('application/x-www-form-urlencoded'))) {
    params.push(...parseForm(req.body.toString('utf8')));
  }
  parsedParams.set(req, params);
  return params;
}

export function actionOf(req: WireRequest): string | undefined {
  return queryParams(req).find(([k]) => k === 'Action')?.[1] || undefined;
}

export function readQueryRequest(req: WireRequest, op: Operation, style: QueryStyle): Record<string, any> {
  return readQueryInput(op.input, queryParams(req).filter(([k]) => !RESERVED.has(k)), style);
}

/** The answer to an Action the service does not declare (or no Action at all). */
export function invalidAction(name: string | undefined): AwsError {
  if (!name) return new AwsError('MissingAction', 'The request must contain the parameter Action.', { status: 400 });
  return new AwsError('InvalidAction', `The action ${name} is not valid for this web service.`, { status: 400 });
}

/**
 * The xmlns of responses: the model's, else one in the query-era pattern (SQS's
 * JSON-era model dropped it; real SQS says http://queue.amazonaws.com/doc/…).
 * Clients do not check it.
 */
export function xmlNamespaceOf(model: ServiceModel): string {
  return model.xmlNamespace ?? `https://${model.entry.signingNames[0]}.amazonaws.com/doc/${model.version}/`;
}

/** Error members other than the message, as XML children of <Error>. */
export function errorFields(shape: StructureShape | undefined, err: AwsError): string {
  if (!shape || !err.fields) return '';
  const message = messageMemberName(shape);
  return writeMembers(shape, err.fields, (m) => m.name === message || m.name === 'message' || !!m.traits.httpHeader).content;
}

/** <ErrorResponse>: the body awsQuery and restXml share. */
export function errorResponseXml(err: AwsError, model: ServiceModel, requestId: string, xmlns?: string) {
  const shape = errorShape(model, err.code);
  const status = errorStatus(err, shape, true);
  const sender = err.sender ?? status < 500;
  const body = element(
    'ErrorResponse',
    element(
      'Error',
      textElement('Type', sender ? 'Sender' : 'Receiver') +
        textElement('Code', queryErrorCode(err, shape)) +
        textElement('Message', err.message) +
        errorFields(shape, err),
    ) + textElement('RequestId', requestId),
    { xmlns },
  );
  return { status, body, shape };
}

export class AwsQueryCodec implements Codec {
  resolveOperation(req: WireRequest): string | undefined {
    return actionOf(req);
  }

  parseInput(req: WireRequest, op: Operation, model: ServiceModel): Record<string, any> {
    const input = readQueryRequest(req, op, { ec2: false });
    const member = model.entry.queryUrlMember;
    // A request posted to the resource's own URL names it by its path (older SQS clients send no QueueUrl).
    if (member && input[member] === undefined && op.input.byName.has(member) && req.path.split('/').filter(Boolean).length >= 2) {
      input[member] = `http://${req.headers.host ?? 'localhost'}${req.path}`;
    }
    return input;
  }

  serializeOutput(output: unknown, op: Operation, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const { attrs, content } = writeMembers(op.output, (output ?? {}) as Record<string, unknown>);
    const body = element(
      `${op.name}Response`,
      element(`${op.name}Result`, content, attrs) +
        element('ResponseMetadata', textElement('RequestId', ctx.requestId)),
      { xmlns: xmlNamespaceOf(model) },
    );
    return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId }, body };
  }

  serializeError(err: AwsError, model: ServiceModel, ctx: ResponseContext): WireResponse {
    const { status, body } = errorResponseXml(err, model, ctx.requestId, xmlNamespaceOf(model));
    return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId }, body };
  }

  unknownOperation(name: string | undefined): AwsError {
    return invalidAction(name);
  }
}
