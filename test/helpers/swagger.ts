import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

import { REPO_ROOT } from './moord.js';

/** The Engine API specification shipped beside the repository (shared/docker-api). */
export const SWAGGER_PATH = join(REPO_ROOT, '..', 'shared', 'docker-api', 'swagger-v1.51.yaml');

type Schema = Record<string, unknown>;

/** Swagger 2.0 says `x-nullable: true` where JSON Schema says `type: [T, "null"]`. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'x-go-name') continue;
    out[key] = toJsonSchema(value);
  }
  if (out['x-nullable'] === true && typeof out['type'] === 'string')
    out['type'] = [out['type'], 'null'];
  if (out['x-nullable'] === true && out['$ref'] !== undefined) {
    return { anyOf: [{ $ref: out['$ref'] }, { type: 'null' }] };
  }
  return out;
}

let cache: { ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function load() {
  if (cache) return cache;
  const spec = parse(readFileSync(SWAGGER_PATH, 'utf8')) as { definitions: Schema };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'swagger', definitions: toJsonSchema(spec.definitions) }, 'swagger');
  cache = { ajv, validators: new Map() };
  return cache;
}

/** Validates `data` against a definition of the swagger (e.g. `SystemInfo`); returns the errors. */
export function swaggerErrors(definition: string, data: unknown): string[] {
  const { ajv, validators } = load();
  let validate = validators.get(definition);
  if (!validate) {
    validate = ajv.compile({ $ref: `swagger#/definitions/${definition}` });
    validators.set(definition, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
