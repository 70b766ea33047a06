import { ROOT_VARIABLES } from './ast-scan';
import { celErrorOffset, celErrorSummary, compileCel, quoteExpression, type CompiledExpression } from './cel-runtime';

export interface ExpressionProblem {
  path: string;
  message: string;
}

export interface ExpressionAnalysis {
  /** Every step id read as `steps.<id>` or `steps["<id>"]`. */
  stepRefs: Set<string>;
  /** The allowed root variables the expression reads (e.g. `inputs`, `item`). */
  variables: Set<string>;
  problems: ExpressionProblem[];
}

export function emptyAnalysis(): ExpressionAnalysis {
  return { stepRefs: new Set(), variables: new Set(), problems: [] };
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
  return analysis;
}
