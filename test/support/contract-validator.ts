import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks responses against the live OpenAPI document (`/docs-json`): the operation is found by
 * method and path template, then the status code's response: its media type, and its body against
 * the schema with Ajv. Objects are closed for the check (a property the document does not declare
 * is a violation), so the document cannot drift from what the code sends.
 */

type Schema = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments: `/memories/search` wins over `/memories/{id}`. */
  literals: number;
  op: Schema;
}

export interface ResponseToCheck {
  method: string;
  /** The path as requested, with or without a query string. */
  path: string;
  status: number;
  contentType: string | null;
  /** The parsed JSON body, the text when it is not JSON, or null when empty. */
  body: unknown;
}

export class ContractValidator {
  private readonly ajv: Ajv;
  private readonly operations: Operation[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: Schema) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'doc.json', components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });
    this.operations = [];
    for (const [template, item] of Object.entries<Schema>(document.paths ?? {})) {
      const segments = template.split('/');
      const pattern = new RegExp(`^${segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : escapeRegExp(s))).join('/')}$`);
      const literals = segments.filter((s) => s && !s.startsWith('{')).length;
      for (const method of METHODS) if (item[method]) this.operations.push({ method, template, pattern, literals, op: item[method] });
    }
  }

  static async load(baseUrl: string): Promise<ContractValidator> {
    const res = await fetch(`${baseUrl}/docs-json`);
    if (res.status !== 200) throw new Error(`GET /docs-json answered ${res.status}`);
    return new ContractValidator((await res.json()) as Schema);
  }

  /** The operation of the document a request goes to, or undefined when the document has none. */
  operationFor(method: string, path: string): Operation | undefined {
    const bare = path.split('?')[0].split('#')[0];
    const lower = method.toLowerCase();
    return this.operations.filter((o) => o.method === lower && o.pattern.test(bare)).sort((a, b) => b.literals - a.literals)[0];
  }

  /** What is wrong with a response by the document; empty when it conforms or its route is not in the document. */
  check(response: ResponseToCheck): string[] {
    const operation = this.operationFor(response.method, response.path);
    if (!operation) return [];
    const where = `${operation.method.toUpperCase()} ${operation.template} → ${response.status}`;
    const responses: Schema = operation.op.responses ?? {};
    const documented = responses[String(response.status)] ?? responses[`${String(response.status)[0]}XX`] ?? responses.default;
    if (!documented) return [`${where}: status ${response.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const content: Schema | undefined = documented.content;
    const empty = response.body === null || response.body === '' || response.body === undefined;
    if (!content || Object.keys(content).length === 0) return empty ? [] : [`${where}: the document declares no body, the response has one`];
    const mediaType = (response.contentType ?? '').split(';')[0].trim().toLowerCase();
    const media = content[mediaType];
    if (!media) return [`${where}: media type "${mediaType || '(none)'}" is not documented (documented: ${Object.keys(content).join(', ')})`];
    if (!JSON_MEDIA.test(mediaType) || !media.schema) return [];
    const validate = this.validatorFor(`${operation.method} ${operation.template} ${response.status} ${mediaType}`, media.schema);
    if (validate(response.body)) return [];
    return (validate.errors ?? []).map((e) => `${where}: body${e.instancePath || ''} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
  }

  /** Validates a value against a named schema of the document (e.g. the SSE event envelope). */
  checkSchema(name: string, value: unknown): string[] {
    if (!this.document.components?.schemas?.[name]) return [`schema ${name} is not in the document`];
    const validate = this.validatorFor(`#${name}`, { $ref: `#/components/schemas/${name}` });
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${name}${e.instancePath || ''} ${e.message}`);
  }

  private validatorFor(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

const loaded = new Map<string, Promise<ContractValidator>>();

/** The validator of the document a server serves, loaded once per base URL. */
export function contractOf(baseUrl: string): Promise<ContractValidator> {
  let validator = loaded.get(baseUrl);
  if (!validator) {
    validator = ContractValidator.load(baseUrl);
    validator.catch(() => loaded.delete(baseUrl));
    loaded.set(baseUrl, validator);
  }
  return validator;
}

/**
 * OpenAPI 3.0 schema objects → JSON Schema for Ajv: `nullable` adds null to the schema's own `type`,
 * refs point into doc.json, and an object with declared properties and no `additionalProperties`
 * is closed.
 */
export function toJsonSchema(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/', 'doc.json#/components/');
    else if (key === 'example' || key === 'nullable' || key === 'discriminator') continue;
    else if (key === 'properties' && value && typeof value === 'object') out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    else out[key] = toJsonSchema(value);
  }
  if (s.nullable === true && typeof s.type === 'string') {
    out.type = [s.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  // OpenAPI 3.0's boolean exclusiveMinimum/exclusiveMaximum modify minimum/maximum; JSON Schema's are numbers.
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof s[exclusive] !== 'boolean') continue;
    delete out[exclusive];
    if (s[exclusive] && typeof s[bound] === 'number') {
      out[exclusive] = s[bound];
      delete out[bound];
    }
  }
  if (s.properties && s.additionalProperties === undefined && !s.allOf && !s.oneOf && !s.anyOf) out.additionalProperties = false;
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
