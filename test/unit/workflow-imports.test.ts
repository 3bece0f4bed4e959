import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The packages a module evaluates, following its static imports (not import(), not type-only
 * imports, which the compiler drops) through the project's own files.
 */
function packagesEvaluatedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const st of source.statements) {
      let specifier: ts.Expression | undefined;
      if (ts.isImportDeclaration(st)) {
        const clause = st.importClause;
        const named = clause?.namedBindings;
        const onlyTypes = clause?.isTypeOnly ||
          (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
        if (!onlyTypes) specifier = st.moduleSpecifier;
      } else if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.moduleSpecifier) {
        specifier = st.moduleSpecifier;
      }
      if (!specifier || !ts.isStringLiteral(specifier)) continue;
      const name = specifier.text;
      if (!name.startsWith('.')) {
        packages.add(name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!);
        continue;
      }
      const base = path.resolve(path.dirname(file), name);
      const resolved = [`${base}.ts`, base.replace(/\.c?js$/, '.ts'), path.join(base, 'index.ts')].find((f) => existsSync(f));
      if (!resolved) throw new Error(`${path.relative(ROOT, file)}: cannot resolve ${name}`);
      visit(resolved);
    }
  };
  visit(path.join(ROOT, entry));
  return packages;
}

describe('the workflow bundle', () => {
  // Every cached workflow evaluates its own copy of what the bundle's entry point imports: with
  // zod among it, each sleeping order held over 1 MB of the worker's heap (docs/benchmarks.md).
  it('evaluates no zod for an order: the entry point imports only zod-free modules', () => {
    expect([...packagesEvaluatedBy('workflows/index.ts')].sort()).toEqual(['@temporalio/common', '@temporalio/workflow']);
  });

  it("the order's messages, which the API and activities import, bring no workflow code and no activity along", () => {
    expect([...packagesEvaluatedBy('workflows/order/messages.ts')]).toEqual(['@temporalio/workflow']);
  });

  it('(the walk finds zod where it is: the campaign workflow, loaded only when one runs)', () => {
    expect(packagesEvaluatedBy('workflows/campaign/workflow.ts')).toContain('zod');
  });
});
