import { ROOT_VARIABLES } from './ast-scan';
import { celErrorOffset, celErrorSummary, compileCel, quoteExpression, type CompiledExpression } from './cel-runtime';
import { estimateCost, estimatedBytes } from './cost-estimate';
import { expressionLimits } from './expression-limits';

export interface ExpressionProblem {
  path: string;
  message: string;
  /** `EXPRESSION_LIMIT` when the expression is refused by the static cost estimate; otherwise unset. */
  code?: 'EXPRESSION_LIMIT';
}

export interface ExpressionAnalysis {
  /** Every step id read as `steps.<id>` or `steps["<id>"]`. */
  stepRefs: Set<string>;
  /** The allowed root variables the expression reads (e.g. `inputs`, `item`). */
  variables: Set<string>;
  problems: ExpressionProblem[];
  /** Static estimate of the bytes the expression's result takes (literal growth only; see cost-estimate.ts). */
  estimatedBytes: number;
}

export function emptyAnalysis(): ExpressionAnalysis {
  return { stepRefs: new Set(), variables: new Set(), problems: [], estimatedBytes: 0 };
}

/**
 * Parses and checks one CEL expression without evaluating it: syntax, root variables (macro-bound
 * variables such as `x` in `list.map(x, x * 2)` are not roots), step references, and the library's
 * type check (with every variable `dyn`, this catches unknown functions and literal type clashes
 * such as `"a" + 1`).
 */
export function analyzeExpression(expression: string, path: string): ExpressionAnalysis {
  const analysis = emptyAnalysis();
  if (typeof expression !== 'string') {
    analysis.problems.push({ path, message: 'expression must be a string' });
    return analysis;
  }
  if (expression.trim() === '') {
    analysis.problems.push({ path, message: 'expression is empty' });
    return analysis;
  }
  const quoted = quoteExpression(expression);
  let compiled: CompiledExpression;
  try {
    compiled = compileCel(expression);
  } catch (error) {
    const offset = celErrorOffset(error);
    const where = offset === undefined ? '' : ` (at offset ${offset})`;
    analysis.problems.push({ path, message: `cannot parse ${quoted}: ${celErrorSummary(error)}${where}` });
    return analysis;
  }
  const { scan, program } = compiled;
  analysis.stepRefs = new Set(scan.stepRefs);
  analysis.variables = new Set(scan.variables);
  for (const name of scan.unknownRoots) {
    analysis.problems.push({
      path,
      message: `unknown variable "${name}" in ${quoted}; available: ${ROOT_VARIABLES.join(', ')}`,
    });
  }
  if (scan.dynamicStepAccess) {
    analysis.problems.push({
      path,
      message: `${quoted} indexes steps with a computed key; name the step: steps.<id> or steps["<id>"]`,
    });
  }
  if (scan.unknownRoots.size === 0) {
    const checked = program.check();
    if (!checked.valid) {
      analysis.problems.push({ path, message: `type error in ${quoted}: ${celErrorSummary(checked.error)}` });
    }
  }
  checkEstimate(compiled, quoted, path, analysis);
  return analysis;
}

const format = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'unbounded');

/**
 * The static rule (issue 16): refuse what visibly grows past the limits — comprehensions nested over
 * literal lists, `cel.bind` chains that double — estimated with the runtime meter's units.
 */
function checkEstimate(compiled: CompiledExpression, quoted: string, path: string, analysis: ExpressionAnalysis): void {
  const limits = expressionLimits();
  const estimate = estimateCost(compiled.program.ast);
  analysis.estimatedBytes = estimatedBytes(estimate);
  if (estimate.cost > limits.cost) {
    analysis.problems.push({
      path,
      code: 'EXPRESSION_LIMIT',
      message: `${quoted} is estimated to cost ${format(estimate.cost)} units, over the budget of ${limits.cost} units of one evaluation (comprehensions nested over large lists, or values that keep doubling)`,
    });
  } else if (analysis.estimatedBytes > limits.resultBytes) {
    analysis.problems.push({
      path,
      code: 'EXPRESSION_LIMIT',
      message: `${quoted} would build a value of about ${format(analysis.estimatedBytes)} bytes, over the limit of ${limits.resultBytes} bytes (values that keep doubling)`,
    });
  }
}
