import { celErrorSummary, compileCel, quoteExpression, type CompiledExpression } from './cel-runtime';
import { describeType, fromCel, toCel } from './cel-values';
import { ExpressionError } from './expression-error';
import { isPlainObject } from './plain-object';
import { containsTemplate, scanTemplate } from './template-scanner';

export type ExpressionContext = Record<string, unknown>;

function compileOrThrow(expression: string): CompiledExpression {
  try {
    return compileCel(expression);
  } catch (error) {
    throw new ExpressionError(`cannot parse ${quoteExpression(expression)}: ${celErrorSummary(error)}`, expression, {
      cause: error,
    });
  }
}

/**
 * Evaluates a CEL expression against a context of plain JSON-like values and returns a plain
 * JSON-like result (see cel-values.ts for the number conversions). Throws ExpressionError.
 */
export function evaluateExpression(expression: string, context: ExpressionContext): unknown {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new ExpressionError('expression is empty', String(expression));
  }
  const compiled = compileOrThrow(expression);
  const celContext: Record<string, unknown> = {};
  for (const name of compiled.roots) {
    if (Object.prototype.hasOwnProperty.call(context, name)) celContext[name] = toCel(context[name]);
  }
  let result: unknown;
  try {
    result = compiled.program(celContext);
  } catch (error) {
    throw new ExpressionError(`cannot evaluate ${quoteExpression(expression)}: ${celErrorSummary(error)}`, expression, {
      cause: error,
    });
  }
  return fromCel(result);
}

/** Evaluates a condition; anything but a bool result is an ExpressionError. */
export function evaluateCondition(expression: string, context: ExpressionContext): boolean {
  const result = evaluateExpression(expression, context);
  if (typeof result !== 'boolean') {
    throw new ExpressionError(
      `condition ${quoteExpression(expression)} must evaluate to a bool, got ${describeType(result)}`,
      expression,
    );
  }
  return result;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

function renderString(text: string, context: ExpressionContext): unknown {
  if (!containsTemplate(text)) return text;
  const scan = scanTemplate(text);
  if (!scan.ok) throw new ExpressionError(scan.message, text);
  if (scan.exact && scan.segments[0].kind === 'expression') {
    return evaluateExpression(scan.segments[0].expression, context);
  }
  return scan.segments
    .map((segment) => (segment.kind === 'text' ? segment.text : asText(evaluateExpression(segment.expression, context))))
    .join('');
}

/**
 * Resolves every `${{ expr }}` in a JSON value. A string that is exactly one `${{ expr }}` takes
 * the expression's typed value; inside a longer string the value is interpolated as text (strings
 * as they are, anything else as JSON). Objects and arrays are rendered recursively (keys are not
 * templated); other values are returned unchanged. Throws ExpressionError.
 */
export function renderTemplate(value: unknown, context: ExpressionContext): unknown {
  if (typeof value === 'string') return renderString(value, context);
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, context));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderTemplate(item, context);
    return out;
  }
  return value;
}
