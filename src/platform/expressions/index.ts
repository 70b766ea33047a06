export { ROOT_VARIABLES, type RootVariable } from './ast-scan';
export { compiledExpressionCacheSize } from './cel-runtime';
export { analyzeExpression, type ExpressionAnalysis, type ExpressionProblem } from './expression-analysis';
export { ExpressionError } from './expression-error';
export {
  evaluateCondition,
  evaluateExpression,
  renderTemplate,
  type ExpressionContext,
} from './expression-evaluator';
export { childPath, indexPath } from './paths';
export { isPlainObject } from './plain-object';
export { analyzeTemplate } from './template-analysis';
export { containsTemplate, scanTemplate, type TemplateScan, type TemplateSegment } from './template-scanner';
