/**
 * Where a request's template comes from (TemplateBody, or TemplateURL naming an object in Berth's S3 in either URL
 * form), and the checks every template-taking operation makes: structure, capabilities, Rules.
 */
import { Later, type RequestContext } from '../provider.js';
import { insufficientCapabilities, templateError, validationError } from './errors.js';
import { evaluate, EvalError } from './intrinsics.js';
import { refsOf } from './plan.js';
import { MAX_BODY, parseBody, type Template } from './template.js';

/** The IAM resource types that need CAPABILITY_IAM (CAPABILITY_NAMED_IAM when named), with their name property. */
const IAM_TYPES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName', 'AWS::IAM::ManagedPolicy': 'ManagedPolicyName', 'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::User': 'UserName', 'AWS::IAM::Group': 'GroupName', 'AWS::IAM::Policy': '', 'AWS::IAM::AccessKey': '', 'AWS::IAM::UserToGroupAddition': '',
};

/** The capabilities the template needs, and the resources that need them. */
export function neededCapabilities(t: Template): { capability?: string; resources: string[] } {
  const iam = Object.entries(t.Resources).filter(([, r]) => r.Type in IAM_TYPES);
  if (!iam.length) return { resources: [] };
  const named = iam.some(([, r]) => IAM_TYPES[r.Type] && r.Properties?.[IAM_TYPES[r.Type]] !== undefined);
  return { capability: named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM', resources: [...new Set(iam.map(([, r]) => r.Type))] };
}

/** InsufficientCapabilitiesException unless `given` covers what the template needs. */
export function checkCapabilities(t: Template, given: string[] | undefined) {
  const need = neededCapabilities(t);
  if (!need.capability) return;
  const have = new Set(given ?? []);
  if (have.has(need.capability) || (need.capability === 'CAPABILITY_IAM' && have.has('CAPABILITY_NAMED_IAM'))) return;
  throw insufficientCapabilities(need.capability, need.resources);
}

/** The body a request names: TemplateBody now, or TemplateURL's object (fetched through S3's operations: `Later`). */
export function withTemplate<T>(ctx: RequestContext, input: { TemplateBody?: string; TemplateURL?: string }, run: (body: string | undefined) => T): T | Later<T> {
  if (input.TemplateBody !== undefined && input.TemplateURL !== undefined) throw validationError('Specify exactly one of TemplateBody or TemplateUrl.');
  if (input.TemplateURL === undefined) {
    if (input.TemplateBody !== undefined && Buffer.byteLength(input.TemplateBody) > MAX_BODY) {
      throw validationError(`1 validation error detected: Value '${input.TemplateBody.slice(0, 32)}...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BODY}`);
    }
    return run(input.TemplateBody);
  }
  const where = s3Location(input.TemplateURL);
  const invoke = ctx.invoke;
  if (!invoke) throw validationError('TemplateURL must reference a valid S3 object to which you have access.');
  return new Later(async () => {
    let body: string;
    try {
      const out = await invoke<{ Body: Buffer }>({ account: ctx.account, region: ctx.region, principalArn: ctx.principalArn, accessKeyId: ctx.accessKeyId }, 's3', 'GetObject', where);
      body = out.Body.toString('utf8');
    } catch {
      throw validationError('TemplateURL must reference a valid S3 object to which you have access.');
    }
    return ctx.db.transaction(() => run(body))();
  });
}

/**
 * Bucket and key of an S3 URL: virtual-hosted (`https://b.s3.region.amazonaws.com/k`, `b.s3.amazonaws.com`) or
 * path style (`https://s3.region.amazonaws.com/b/k`, or Berth's own endpoint `http://127.0.0.1:4566/b/k`).
 */
export function s3Location(url: string): { Bucket: string; Key: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw validationError('TemplateURL must be a supported URL.');
  }
  const path = decodeURIComponent(u.pathname.slice(1));
  const hosted = /^(.+?)\.s3(?:[.-][a-z0-9-]+)*\.(?:amazonaws\.com|localhost(?:\.localstack\.cloud)?)$/.exec(u.hostname);
  if (hosted) return { Bucket: hosted[1], Key: path };
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw validationError('TemplateURL must reference a valid S3 object to which you have access.');
  return { Bucket: path.slice(0, slash), Key: path.slice(slash + 1) };
}

/** The template a body parses to, or CloudFormation's ValidationError when it has none. */
export function templateOf(body: string | undefined): Template {
  if (body === undefined) throw validationError('Either Template URL or Template Body must be specified.');
  return parseBody(body);
}

/** Rules: each rule whose condition holds must have every assertion hold (the stack's parameters as given). */
export function checkRules(t: Template, rec: Parameters<typeof refsOf>[0]) {
  const env = {
    refs: refsOf(rec, t), mappings: t.Mappings, conditions: {}, zones: [],
    resourceRef: (id: string) => { throw templateError(`Unresolved dependencies [${id}]. Cannot reference resources in the Rules block of the template`); },
    getAtt: (id: string) => { throw templateError(`Unresolved dependencies [${id}]. Cannot reference resources in the Rules block of the template`); },
    importValue: () => { throw templateError('Fn::ImportValue is not allowed in the Rules block of the template'); },
  };
  for (const [name, rule] of Object.entries(t.Rules ?? {})) {
    try {
      if (rule.RuleCondition !== undefined && evaluate(rule.RuleCondition, env) !== true) continue;
      for (const a of rule.Assertions ?? []) {
        if (evaluate(a.Assert, env) !== true) throw validationError(a.AssertDescription ?? `Template error: Rule ${name} failed`);
      }
    } catch (err) {
      if (err instanceof EvalError) throw validationError(err.message);
      throw err;
    }
  }
}
