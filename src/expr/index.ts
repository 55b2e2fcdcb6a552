// Public entry of the expression compiler: Spark SQL expressions compiled once into row closures.
export { compileExpression, compilePredicate, type CompileOptions, type CompiledExpression, type CompiledPredicate } from './compile.ts';
export { ExpressionError, ExpressionEvalError, type SourcePosition } from './errors.ts';
export { parseTypeName } from './cast.ts';
export { compileFormatter, compileParser } from './datetime.ts';
export type { ExprType } from './values.ts';
