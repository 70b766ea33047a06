import { celErrorSummary, compileCel, quoteExpression, type CompiledExpression } from './cel-runtime';
import { describeType, fromCel, toCel } from './cel-values';
import { ExpressionError, ExpressionLimitError } from './expression-error';
import { expressionLimits, Meter, withMeter } from './expression-limits';
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

function limitError(meter: Meter, expression: string): ExpressionLimitError {
  return new ExpressionLimitError(`${meter.tripped!.message}: ${quoteExpression(expression)}`, expression);
}

/** One expression under `meter` (which a template render shares across its expressions). */
function evaluateMetered(expression: string, context: ExpressionContext, meter: Meter): unknown {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new ExpressionError('expression is empty', String(expression));
  }
  const compiled = compileOrThrow(expression);
  const celContext: Record<string, unknown> = {};
  for (const name of compiled.roots) {
    if (Object.prototype.hasOwnProperty.call(context, name)) celContext[name] = toCel(context[name]);
  }
  let result: unknown;
  const startedAt = meter.start();
  try {
    result = withMeter(meter, () => compiled.program(celContext));
  } catch (error) {
    meter.stop(startedAt);
    if (meter.tripped) throw limitError(meter, expression);
    throw new ExpressionError(`cannot evaluate ${quoteExpression(expression)}: ${celErrorSummary(error)}`, expression, {
      cause: error,
    });
  }
  meter.stop(startedAt);
  // A tripped limit inside `||`, `&&`, `all` or `exists` may have been swallowed as an operand error.
  if (meter.tripped) throw limitError(meter, expression);
  try {
    return fromCel(result, meter);
  } catch (error) {
    if (meter.tripped) throw limitError(meter, expression);
    throw error;
  }
}

/**
 * Evaluates a CEL expression against a context of plain JSON-like values and returns a plain
 * JSON-like result (see cel-values.ts for the number conversions). Throws ExpressionError, and
 * ExpressionLimitError (code EXPRESSION_LIMIT) when the evaluation goes over its cost budget, its
 * time limit or its size limit (expression-limits.ts).
 */
export function evaluateExpression(expression: string, context: ExpressionContext): unknown {
  return evaluateMetered(expression, context, new Meter(expressionLimits()));
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

function renderString(text: string, context: ExpressionContext, meter: Meter): unknown {
  if (!containsTemplate(text)) return text;
  const scan = scanTemplate(text);
  if (!scan.ok) throw new ExpressionError(scan.message, text);
  if (scan.exact && scan.segments[0].kind === 'expression') {
    return evaluateMetered(scan.segments[0].expression, context, meter);
  }
  let out = '';
  for (const segment of scan.segments) {
    if (segment.kind === 'text') {
      meter.takeBytes(segment.text.length, 'template');
      out += segment.text;
    } else {
      const value = evaluateMetered(segment.expression, context, meter);
      if (typeof value !== 'string') meter.takeBytes(2, 'template');
      out += asText(value);
    }
  }
  return out;
}

function render(value: unknown, context: ExpressionContext, meter: Meter): unknown {
  if (typeof value === 'string') return renderString(value, context, meter);
  if (Array.isArray(value)) return value.map((item) => render(item, context, meter));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = render(item, context, meter);
    return out;
  }
  return value;
}

/**
 * Resolves every `${{ expr }}` in a JSON value. A string that is exactly one `${{ expr }}` takes
 * the expression's typed value; inside a longer string the value is interpolated as text (strings
 * as they are, anything else as JSON). Objects and arrays are rendered recursively (keys are not
 * templated); other values are returned unchanged. Throws ExpressionError.
 *
 * The whole render is one evaluation for the limits: its expressions share one cost budget, one
 * time limit, and one size budget for everything they produce (plus the text around them).
 */
export function renderTemplate(value: unknown, context: ExpressionContext): unknown {
  return render(value, context, new Meter(expressionLimits()));
}
