// The expression tree the parser produces and the compiler consumes.

/**
 * `pos` is the 0-based offset in the user's expression text where the node's own text starts (for an
 * operator, where its left operand starts); a cast's is where its type is written, since a bad cast
 * is about the type.
 */
export type Node =
  | { readonly kind: 'literal'; readonly value: unknown; readonly literal: LiteralKind; readonly pos: number }
  | { readonly kind: 'column'; readonly path: readonly string[]; readonly pos: number }
  | { readonly kind: 'subscript'; readonly base: Node; readonly index: Node; readonly pos: number }
  | { readonly kind: 'field'; readonly base: Node; readonly name: string; readonly pos: number }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | '~' | 'NOT'; readonly arg: Node; readonly pos: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Node; readonly right: Node; readonly pos: number }
  | { readonly kind: 'in'; readonly negated: boolean; readonly arg: Node; readonly list: readonly Node[]; readonly pos: number }
  | { readonly kind: 'between'; readonly negated: boolean; readonly arg: Node; readonly low: Node; readonly high: Node; readonly pos: number }
  | { readonly kind: 'like'; readonly negated: boolean; readonly regex: boolean; readonly arg: Node; readonly pattern: Node; readonly escape: string; readonly pos: number }
  | { readonly kind: 'is'; readonly negated: boolean; readonly arg: Node; readonly test: 'null' | 'true' | 'false'; readonly pos: number }
  | { readonly kind: 'case'; readonly subject: Node | null; readonly whens: readonly { readonly cond: Node; readonly result: Node }[]; readonly otherwise: Node | null; readonly pos: number }
  | { readonly kind: 'cast'; readonly arg: Node; readonly to: string; readonly pos: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[]; readonly pos: number };

/** A fractional literal without an exponent is a DECIMAL of its own digits, as in Spark (`1.19` is decimal(3,2)). */
export type LiteralKind = 'null' | 'boolean' | 'string' | 'binary' | 'byte' | 'short' | 'integer' | 'long' | 'double' | 'date' | 'timestamp' | `decimal(${number},${number})`;

export type BitwiseOp = '&' | '|' | '^' | '<<' | '>>' | '>>>';

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | 'div' | '||' | '=' | '<=>' | '!=' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | BitwiseOp;

export type NodeOf<K extends Node['kind']> = Extract<Node, { kind: K }>;
