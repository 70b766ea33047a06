import { scanTemplate } from '@cognition/platform/expressions';
import { celErrorSummary, compileCel, quoteExpression } from '@cognition/platform/expressions/cel-runtime';
import { PROMPT_TEMPLATE_VARIABLES } from '../contracts/agent.types';

/** The default system prompt: the product's `${{ CEL }}` templates, rendered with `agent` and `task`. */
export const DEFAULT_SYSTEM_PROMPT_TEMPLATE =
  'You are a ${{ agent.role }} agent. Work on the task you are given, use the available tools when they help, and answer with the final result.';

export const MAX_PROMPT_TEMPLATE_LENGTH = 20_000;

const ALLOWED: ReadonlySet<string> = new Set(PROMPT_TEMPLATE_VARIABLES);

/**
 * Checks that a system prompt template parses: every `${{ expr }}` is closed, is valid CEL, reads
 * only the variables the runner provides (`agent`, `task`) and passes the type check. Returns the
 * problems (empty when fine); nothing is evaluated.
 */
export function promptTemplateProblems(template: string): string[] {
  const scan = scanTemplate(template);
  if (!scan.ok) return [scan.message];
  const problems: string[] = [];
  for (const segment of scan.segments) {
    if (segment.kind !== 'expression') continue;
    const quoted = quoteExpression(segment.expression);
    if (segment.expression === '') {
      problems.push('an expression ${{ }} is empty');
      continue;
    }
    let compiled: ReturnType<typeof compileCel>;
    try {
      compiled = compileCel(segment.expression);
    } catch (error) {
      problems.push(`cannot parse ${quoted}: ${celErrorSummary(error)}`);
      continue;
    }
    const unknown = [...compiled.roots].filter((root) => !ALLOWED.has(root));
    if (unknown.length > 0) {
      problems.push(`unknown variable ${unknown.map((u) => `"${u}"`).join(', ')} in ${quoted}; available: ${PROMPT_TEMPLATE_VARIABLES.join(', ')}`);
      continue;
    }
    const checked = compiled.program.check();
    if (!checked.valid) problems.push(`type error in ${quoted}: ${celErrorSummary(checked.error)}`);
  }
  return problems;
}
