// Checks a request against GitHub's published OpenAPI description (the
// api.github.com spec in the installed @octokit/openapi package): the method
// and path must exist, required parameters and body fields must be present,
// and every value must have the declared type. Unknown JSON body fields are
// reported too, so a misspelt field cannot pass silently.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

interface Schema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  $ref?: string;
  oneOf?: Schema[];
  anyOf?: Schema[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
  $ref?: string;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  servers?: { url: string }[];
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter>; schemas: Record<string, Schema> };
}

export interface Match {
  operationId: string;
  /** True for operations served on the uploads origin (the spec gives them their own `servers`). */
  upload: boolean;
  params: Record<string, string>;
}

let cached: { spec: Spec; routes: { method: string; regex: RegExp; names: string[]; template: string }[] } | undefined;

function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('@octokit/openapi/package.json'));
  const spec = JSON.parse(readFileSync(path.join(pkgDir, 'generated', 'api.github.com.json'), 'utf8')) as Spec;
  const routes = [];
  for (const [template, methods] of Object.entries(spec.paths)) {
    for (const method of Object.keys(methods)) {
      if (!methods[method]?.operationId) continue;
      const names: string[] = [];
      const regex = new RegExp(
        '^' +
          template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([a-z_]+)\\?\}/g, (_m, name: string) => {
            names.push(name);
            // x-multi-segment parameters (the tag of get-release-by-tag) may hold slashes.
            return name === 'tag' || name === 'path' || name === 'ref' ? '(.+)' : '([^/]+)';
          }) +
          '$',
      );
      routes.push({ method: method.toUpperCase(), regex, names, template });
    }
  }
  // Literal segments beat parameters: /releases/tags/{tag} before /releases/{release_id}/...
  routes.sort((a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length);
  cached = { spec, routes };
  return cached;
}

function resolve<T extends { $ref?: string }>(spec: Spec, item: T): T {
  if (!item.$ref) return item;
  const parts = item.$ref.replace(/^#\//, '').split('/');
  let node: unknown = spec;
  for (const part of parts) node = (node as Record<string, unknown>)[part];
  return resolve(spec, node as T);
}

/** Finds the operation for a method and a path relative to the API root. */
export function findOperation(method: string, pathname: string): (Match & { operation: Operation }) | undefined {
  const { spec, routes } = load();
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.regex.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    const operation = spec.paths[route.template]![method.toLowerCase()]!;
    return { operationId: operation.operationId, upload: operation.servers !== undefined, params, operation };
  }
  return undefined;
}

function typeProblem(spec: Spec, schema: Schema | undefined, value: unknown, where: string): string | undefined {
  if (!schema) return undefined;
  const s = resolve(spec, schema);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) {
    const problems = alternatives.map((alt) => typeProblem(spec, alt, value, where));
    return problems.every((p) => p !== undefined) ? problems[0] : undefined;
  }
  if (s.enum && !s.enum.includes(value)) return `${where} must be one of ${JSON.stringify(s.enum)}, got ${JSON.stringify(value)}`;
  const ok: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    boolean: (v) => typeof v === 'boolean',
    integer: (v) => Number.isInteger(v),
    number: (v) => typeof v === 'number',
    array: (v) => Array.isArray(v),
    object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  };
  if (s.type && ok[s.type] && !ok[s.type]!(value)) return `${where} must be ${s.type}, got ${JSON.stringify(value)}`;
  if (s.type === 'object' && s.properties && typeof value === 'object' && value !== null) {
    for (const key of s.required ?? []) {
      if (!(key in value)) return `${where}.${key} is required`;
    }
    for (const [key, v] of Object.entries(value)) {
      const prop = s.properties[key];
      if (!prop) return `${where}.${key} is not a field of this operation`;
      const problem = typeProblem(spec, prop, v, `${where}.${key}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function paramProblem(spec: Spec, p: Parameter, raw: string | undefined): string | undefined {
  if (raw === undefined) return p.required ? `${p.in} parameter '${p.name}' is required` : undefined;
  const type = p.schema ? resolve(spec, p.schema).type : undefined;
  if (type === 'integer' && !/^-?\d+$/.test(raw)) return `${p.in} parameter '${p.name}' must be an integer, got '${raw}'`;
  if (type === 'boolean' && raw !== 'true' && raw !== 'false') return `${p.in} parameter '${p.name}' must be a boolean, got '${raw}'`;
  return undefined;
}

export interface CheckedRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, when the operation takes JSON. */
  json?: unknown;
  /** True when the request arrived on the uploads origin. */
  onUploads: boolean;
}

/** Every way the request departs from the spec; empty when it conforms. */
export function validate(req: CheckedRequest): { match?: Match; problems: string[] } {
  const { spec } = load();
  const found = findOperation(req.method, req.pathname);
  if (!found) return { problems: ['not an operation of the GitHub REST API'] };
  const { operation, ...match } = found;
  const problems: string[] = [];
  if (match.upload !== req.onUploads) {
    problems.push(`${match.operationId} must be sent to the ${match.upload ? 'uploads' : 'API'} origin`);
  }
  const params = (operation.parameters ?? []).map((p) => resolve(spec, p));
  for (const p of params) {
    const raw =
      p.in === 'path'
        ? match.params[p.name]
        : p.in === 'query'
          ? (req.query.get(p.name) ?? undefined)
          : (req.headers[p.name.toLowerCase()] as string | undefined);
    const problem = paramProblem(spec, p, raw);
    if (problem) problems.push(problem);
  }
  for (const key of req.query.keys()) {
    if (!params.some((p) => p.in === 'query' && p.name === key)) problems.push(`query parameter '${key}' is not a parameter of ${match.operationId}`);
  }
  const body = operation.requestBody;
  if (body) {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const media = body.content[type];
    if (!media) {
      problems.push(`content-type '${type}' is not accepted by ${match.operationId} (wants ${Object.keys(body.content).join(', ')})`);
    } else if (type === 'application/json') {
      if (req.json === undefined) {
        if (body.required) problems.push(`${match.operationId} requires a JSON body`);
      } else {
        const problem = typeProblem(spec, media.schema, req.json, 'body');
        if (problem) problems.push(problem);
      }
    }
  }
  return { match, problems };
}
