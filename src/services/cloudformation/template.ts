/**
 * Templates: a body (JSON or YAML, with YAML's short-form function tags `!Ref`, `!GetAtt`, `!Sub` …) parsed into
 * its sections, with the structural checks CloudFormation makes before it accepts one (ValidationError
 * "Template format error: …"). https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
 */
import { createRequire } from 'node:module';
import { templateError, validationError } from './errors.js';

export interface TemplateParameter {
  Type: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  ConstraintDescription?: string;
  Description?: string;
  NoEcho?: boolean | string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
  CreationPolicy?: unknown;
  UpdatePolicy?: unknown;
}

export interface TemplateOutput {
  Value: unknown;
  Description?: string;
  Condition?: string;
  Export?: { Name: unknown };
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: unknown;
  Parameters?: Record<string, TemplateParameter>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Rules?: Record<string, { RuleCondition?: unknown; Assertions: { Assert: unknown; AssertDescription?: string }[] }>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, TemplateOutput>;
  Transform?: unknown;
}

/** The largest TemplateBody CloudFormation takes (TemplateURL: 1 MB). */
export const MAX_BODY = 51_200;
const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Mappings', 'Conditions', 'Rules', 'Resources', 'Outputs', 'Transform']);

/** Short-form tag → the long form's key (`!GetAtt a.b` becomes `{ "Fn::GetAtt": ["a", "b"] }`). */
const TAGS: Record<string, string> = {
  Ref: 'Ref', Condition: 'Condition', GetAtt: 'Fn::GetAtt', Sub: 'Fn::Sub', Join: 'Fn::Join', Select: 'Fn::Select', Split: 'Fn::Split',
  If: 'Fn::If', Equals: 'Fn::Equals', Not: 'Fn::Not', And: 'Fn::And', Or: 'Fn::Or', FindInMap: 'Fn::FindInMap', GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue', Base64: 'Fn::Base64', Cidr: 'Fn::Cidr', Transform: 'Fn::Transform', ToJsonString: 'Fn::ToJsonString',
  Length: 'Fn::Length',
};

type Yaml = typeof import('js-yaml');
let schema: unknown;

function yamlSchema(yaml: Yaml) {
  if (schema) return schema as import('js-yaml').Schema;
  const types = Object.entries(TAGS).flatMap(([tag, key]) => (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(`!${tag}`, {
    kind,
    construct: (data: unknown) => {
      if (tag === 'GetAtt' && typeof data === 'string') {
        const dot = data.indexOf('.');
        return { [key]: [data.slice(0, dot), data.slice(dot + 1)] };
      }
      return { [key]: data ?? '' };
    },
  })));
  schema = yaml.DEFAULT_SCHEMA.extend(types);
  return schema as import('js-yaml').Schema;
}

/** The body's template: JSON when it parses as JSON (CloudFormation's rule too), else YAML. */
export function parseBody(body: string): Template {
  const trimmed = body.trimStart();
  let doc: unknown;
  if (trimmed.startsWith('{')) {
    try {
      doc = JSON.parse(body);
    } catch {
      throw templateError('JSON not well-formed. (line 1, column 1)');
    }
  } else {
    let yaml: Yaml;
    try {
      yaml = createRequire(import.meta.url)('js-yaml') as Yaml;
    } catch {
      throw validationError('Template format error: YAML templates need the js-yaml package, which this Berth install lacks; send the template as JSON.');
    }
    try {
      doc = yaml.load(body, { schema: yamlSchema(yaml) });
    } catch (err) {
      const mark = (err as { mark?: { line: number; column: number } }).mark;
      throw templateError(`YAML not well-formed. (line ${(mark?.line ?? 0) + 1}, column ${(mark?.column ?? 0) + 1})`);
    }
  }
  return checkTemplate(doc);
}

function checkTemplate(doc: unknown): Template {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw templateError('JSON not well-formed. (line 1, column 1)');
  const t = doc as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !SECTIONS.has(k));
  if (unknown.length) throw templateError(`Invalid template property or properties [${unknown.join(', ')}]`);
  // Unquoted in YAML the version is a date.
  if (t.AWSTemplateFormatVersion instanceof Date) t.AWSTemplateFormatVersion = t.AWSTemplateFormatVersion.toISOString().slice(0, 10);
  if (t.AWSTemplateFormatVersion !== undefined && String(t.AWSTemplateFormatVersion) !== '2010-09-09') {
    throw templateError(`'${String(t.AWSTemplateFormatVersion)}' is not a supported version`);
  }
  const resources = t.Resources as Record<string, TemplateResource> | undefined;
  if (!resources || typeof resources !== 'object' || !Object.keys(resources).length) throw templateError('At least one Resources member must be defined.');
  for (const [id, r] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]+$/.test(id)) throw templateError(`Resource name ${id} is non alphanumeric.`);
    if (!r || typeof r !== 'object' || typeof r.Type !== 'string') throw templateError(`[/Resources/${id}] Every Resources object must contain a Type member.`);
    const deps = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    for (const d of deps) if (!(String(d) in resources)) throw templateError(`Unresolved resource dependencies [${String(d)}] in the Resources block of the template`);
  }
  // A type name that cannot be one (no registry is consulted: a well-formed name Berth lacks fails its resource instead).
  const malformed = [...new Set(Object.values(resources).map((r) => r.Type))].filter((type) => !/^(AWS|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)?$|^Custom::[A-Za-z0-9_@-]+$/.test(type));
  if (malformed.length) throw templateError(`Unrecognized resource types: [${malformed.join(', ')}]`);
  if (t.Transform !== undefined) {
    throw templateError(`Transform ${JSON.stringify(t.Transform)} is not supported by Berth (macros and the AWS::Serverless and AWS::Include transforms are not run).`);
  }
  for (const [name, o] of Object.entries((t.Outputs ?? {}) as Record<string, TemplateOutput>)) {
    if (!o || typeof o !== 'object' || !('Value' in o)) throw templateError(`Every Outputs member must contain a Value object, the Outputs member [${name}] does not.`);
  }
  for (const [name, p] of Object.entries((t.Parameters ?? {}) as Record<string, TemplateParameter>)) {
    if (!p || typeof p !== 'object' || typeof p.Type !== 'string') throw templateError(`Every Parameters object must contain a Type member, the Parameters member [${name}] does not.`);
  }
  return t as unknown as Template;
}
