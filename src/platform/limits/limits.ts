import { Env } from '@cognition/config/env.schema';

/** One limit: what it bounds, its default, and the environment variable that sets it. */
export interface LimitSpec {
  env: keyof Env & string;
  default: number;
  unit: 'bytes' | 'units' | 'ms' | 'items' | 'levels' | 'requests/s' | 'requests' | 'streams' | 'steps';
  description: string;
}

/**
 * The one limits table (DESIGN.md, "Limits and the edge"): read by the edge, the engine and the
 * expression evaluator, published in docs/operations.md ("Limits") and in the OpenAPI description.
 * Each value comes from its environment variable (validated in config/env.schema.ts).
 */
export const LIMITS = {
  expressionCost: { env: 'EXPRESSION_COST_LIMIT', default: 1_000_000, unit: 'units', description: 'Cost budget of one CEL evaluation (cel-go cost model: about 0.1 s)' },
  expressionTime: { env: 'EXPRESSION_TIME_LIMIT_MS', default: 100, unit: 'ms', description: 'Wall time of one CEL evaluation' },
  expressionResultBytes: { env: 'EXPRESSION_RESULT_MAX_BYTES', default: 1_048_576, unit: 'bytes', description: 'Size of any string, list or map an expression or template builds' },
  stepOutputBytes: { env: 'STEP_OUTPUT_MAX_BYTES', default: 1_048_576, unit: 'bytes', description: 'Serialized output of one step (http_request bodies are read up to this and no further)' },
  executionInputBytes: { env: 'EXECUTION_INPUT_MAX_BYTES', default: 1_048_576, unit: 'bytes', description: 'Serialized inputs of one execution' },
  forEachItems: { env: 'FOREACH_MAX_ITEMS', default: 10_000, unit: 'items', description: 'Items of one forEach step' },
  jsonDepth: { env: 'JSON_MAX_DEPTH', default: 64, unit: 'levels', description: 'Nesting of any JSON the API accepts' },
  requestBodyBytes: { env: 'REQUEST_BODY_MAX_BYTES', default: 1_048_576, unit: 'bytes', description: 'Request body (POST /memories raises its own)' },
  sseConnectionsPerKey: { env: 'SSE_MAX_CONNECTIONS_PER_KEY', default: 100, unit: 'streams', description: 'Open event streams of one API key (per instance)' },
  ratePerSecond: { env: 'RATE_LIMIT_PER_SECOND', default: 100, unit: 'requests/s', description: 'Sustained requests of one API key (token bucket refill)' },
  rateBurst: { env: 'RATE_LIMIT_BURST', default: 200, unit: 'requests', description: 'Burst of one API key (token bucket size)' },
  tenantRunningSteps: { env: 'TENANT_MAX_RUNNING_STEPS', default: 1000, unit: 'steps', description: 'Steps of one tenant running at once across all workers' },
} as const satisfies Record<string, LimitSpec>;

export type LimitName = keyof typeof LIMITS;
export type Limits = Record<LimitName, number>;

/** The limits in force, from the validated environment. */
export function limitsOf(env: Env): Limits {
  return Object.fromEntries(Object.entries(LIMITS).map(([name, spec]) => [name, Number(env[spec.env as keyof Env] ?? spec.default)])) as Limits;
}

/** The table as Markdown rows (docs and the OpenAPI description). */
export function limitsTable(limits?: Limits): string {
  const rows = Object.entries(LIMITS).map(([name, spec]) => `| \`${spec.env}\` | ${limits ? limits[name as LimitName] : spec.default} ${spec.unit} | ${spec.description} |`);
  return ['| variable | value | what it bounds |', '|---|---|---|', ...rows].join('\n');
}
