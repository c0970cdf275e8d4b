/** Lists the public exports (every `exports` subpath's entry) that carry no JSDoc comment. */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The package's public entry points, one per `exports` subpath. */
export const ENTRY_POINTS = [
  'src/runtime/index.ts',
  'src/node/index.ts',
  'src/edge/index.ts',
  'src/worker/index.ts',
] as const;

/** One undocumented export: where it is declared and through which entry it is public. */
export interface Undocumented {
  entry: string;
  name: string;
  declaredIn: string;
}

function hasDoc(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  if (symbol.getDocumentationComment(checker).length > 0) return true;
  // A JSDoc block with only tags (e.g. `@deprecated`) still documents it.
  return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
}

/** Every export of `entries` (relative to `root`) whose declaration has no doc comment. */
export function undocumentedExports(root: string, entries: readonly string[] = ENTRY_POINTS): Undocumented[] {
  const configPath = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
  if (!configPath) throw new Error(`no tsconfig.json under ${root}`);
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${configPath}`);
  const files = entries.map((e) => `${root}/${e}`);
  const program = ts.createProgram(files, config.options);
  const checker = program.getTypeChecker();
  const missing: Undocumented[] = [];
  for (const entry of entries) {
    const source = program.getSourceFile(`${root}/${entry}`);
    if (!source) throw new Error(`entry ${entry} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (hasDoc(target, checker) || hasDoc(exported, checker)) continue;
      const decl = target.declarations?.[0];
      const declaredIn = decl ? decl.getSourceFile().fileName.replace(`${root}/`, '') : '?';
      missing.push({ entry, name: exported.getName(), declaredIn });
    }
  }
  return missing;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
  const missing = undocumentedExports(root);
  for (const m of missing) console.log(`${m.entry}\t${m.name}\t${m.declaredIn}`);
  console.log(`${missing.length} undocumented exports`);
  process.exitCode = missing.length > 0 ? 1 : 0;
}
