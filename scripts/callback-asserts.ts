import ts from 'typescript';

/** One assertion a test cannot see fail: where it is, and the callback that hides it. */
export interface CallbackAssertion {
  readonly file: string;
  readonly line: number;
  readonly why: string;
}

// Callbacks run later, outside the test's await: a throw there is an uncaught exception, not the test's failure.
const DETACHED = new Set([
  'on',
  'once',
  'addListener',
  'prependListener',
  'prependOnceListener',
  'addEventListener',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'nextTick',
  'queueMicrotask',
]);
const CHAINED = new Set(['then', 'catch', 'finally']);

const calleeName = (call: ts.CallExpression): string | undefined => {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
};

/** True for `expect(a).toBe(b)`, `expect.soft(a)...`, `assert(a)`, `assert.equal(a, b)`; not `expect.any(String)`. */
function isAssertion(call: ts.CallExpression): boolean {
  let callee: ts.Expression = call.expression;
  let checks = false;
  for (;;) {
    if (ts.isCallExpression(callee)) {
      const inner = callee.expression;
      const name =
        ts.isPropertyAccessExpression(inner) && ts.isIdentifier(inner.expression) ? inner : undefined;
      if (ts.isIdentifier(inner) && inner.text === 'expect') checks = true;
      if (name && name.expression.getText() === 'expect' && ['soft', 'poll'].includes(name.name.text))
        checks = true;
      callee = inner;
    } else if (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
    else break;
  }
  return ts.isIdentifier(callee) && (checks || callee.text === 'assert');
}

/** The outermost expression of a `.then().catch()` chain (or of a call), through parentheses. */
function chainTop(node: ts.Node): ts.Node {
  let top = node;
  for (;;) {
    const parent = top.parent;
    if (
      (ts.isPropertyAccessExpression(parent) && parent.expression === top) ||
      (ts.isCallExpression(parent) && parent.expression === top) ||
      ts.isParenthesizedExpression(parent)
    )
      top = parent;
    else return top;
  }
}

/** True when the value of a chain is awaited, returned, kept, or handed to another call (expect(...).rejects). */
function isKept(top: ts.Node): boolean {
  const parent = top.parent;
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return false;
  return true;
}

/** Why `fn` runs where the test does not wait for it, or undefined when it runs within the test's await. */
function detachedBy(fn: ts.FunctionLikeDeclaration): string | undefined {
  let callee: ts.Node = fn;
  while (ts.isParenthesizedExpression(callee.parent)) callee = callee.parent;
  const call = callee.parent;
  if (!ts.isCallExpression(call)) return undefined;
  if (call.expression === callee)
    return fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) && !isKept(chainTop(call))
      ? 'an async function called and not awaited'
      : undefined;
  const name = calleeName(call);
  if (name === undefined || !call.arguments.includes(fn as ts.Expression)) return undefined;
  if (DETACHED.has(name)) return `a ${name}() callback`;
  if (CHAINED.has(name) && !isKept(chainTop(call)))
    return `a .${name}() callback whose promise is not awaited`;
  return undefined;
}

/** Every assertion in `source` that sits in a callback the test does not await. */
export function findCallbackAssertions(file: string, source: string): CallbackAssertion[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: CallbackAssertion[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && !ts.isPropertyAccessExpression(node.parent) && isAssertion(node)) {
      for (let up: ts.Node = node.parent; !ts.isSourceFile(up); up = up.parent) {
        if (!ts.isArrowFunction(up) && !ts.isFunctionExpression(up)) continue;
        const why = detachedBy(up);
        if (why) {
          const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
          found.push({ file, line: line + 1, why });
          break;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}
