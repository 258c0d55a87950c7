import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';

const root = join(__dirname, '..', '..', '..');
// typescript-eslint switches to a one-shot program read from disk when CI=true, which would lint
// the file on disk instead of the snippet; these snippets need the watch program that sees them.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
});

/** The repository's lint verdict on `code` as if it were the file `file` (a path from the repository root). */
export async function lintSnippet(code: string, file: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  return result.messages;
}
