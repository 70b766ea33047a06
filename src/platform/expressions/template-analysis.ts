import { analyzeExpression, emptyAnalysis, type ExpressionAnalysis } from './expression-analysis';
import { expressionLimits } from './expression-limits';
import { childPath, indexPath } from './paths';
import { isPlainObject } from './plain-object';
import { containsTemplate, scanTemplate } from './template-scanner';

function merge(into: ExpressionAnalysis, from: ExpressionAnalysis): void {
  for (const ref of from.stepRefs) into.stepRefs.add(ref);
  for (const variable of from.variables) into.variables.add(variable);
  into.problems.push(...from.problems);
  into.estimatedBytes += from.estimatedBytes;
}

function walk(value: unknown, path: string, analysis: ExpressionAnalysis): void {
  if (typeof value === 'string') {
    if (!containsTemplate(value)) return;
    const scan = scanTemplate(value);
    if (!scan.ok) {
      analysis.problems.push({ path, message: scan.message });
      return;
    }
    for (const segment of scan.segments) {
      if (segment.kind === 'expression') merge(analysis, analyzeExpression(segment.expression, path));
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, indexPath(path, index), analysis));
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) walk(item, childPath(path, key), analysis);
  }
}

/**
 * Analyzes every `${{ expr }}` inside a JSON value (strings at any depth of objects and arrays).
 * Problems carry the path of the string, e.g. `params.headers.x` or `params.list[2]`.
 */
export function analyzeTemplate(value: unknown, path: string): ExpressionAnalysis {
  const analysis = emptyAnalysis();
  walk(value, path, analysis);
  // One render is one evaluation: together its expressions stay within the size limit.
  const limit = expressionLimits().resultBytes;
  if (analysis.estimatedBytes > limit && !analysis.problems.some((p) => p.code === 'EXPRESSION_LIMIT')) {
    analysis.problems.push({
      path,
      code: 'EXPRESSION_LIMIT',
      message: `the expressions of this template would build about ${Math.round(analysis.estimatedBytes).toLocaleString('en-US')} bytes together, over the limit of ${limit} bytes of one render`,
    });
  }
  return analysis;
}
