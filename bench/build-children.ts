/**
 * Strips the types from the bench's child-process sources into plain ESM files, so the measured
 * processes (upstream, load generator, bare proxy) run on bare `node`: no tsx loader thread in their
 * memory or CPU figures. The output sits under bench/results/ (gitignored), where `undici` resolves
 * from the project's node_modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Sources the child processes load (entry points and everything they import). */
const CHILD_SOURCES = ['driver.ts', 'upstream.ts', 'loadgen.ts', 'stats.ts', 'protocol.ts', 'bare-proxy.ts'];

/** Transpiles the child sources from `benchDir` into `outDir`; returns `outDir`. */
export function buildChildren(benchDir: string, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of CHILD_SOURCES) {
    const source = fs.readFileSync(path.join(benchDir, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    });
    fs.writeFileSync(path.join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
  return outDir;
}
