// @ts-check
/**
 * `boundaries/package`: keeps a workspace package (its folder, e.g. devhost/) and the code around it apart.
 * - A file inside the package imports nothing outside its folder by relative path: it reaches other code only
 *   through its declared dependencies, so the folder works on its own (no src/, no mock/).
 * - A file outside reaches into the package only through its name and `exports` (`@saga/devhost/testkit`),
 *   never by a deep relative path.
 * - Folders listed in `forbiddenFrom` (the deployed app) do not import the package at all.
 * - `shared` folders (outside the package, importing nothing of the product) may be imported by the package, which
 *   compiles them in with itself.
 * Checks static `import`/`export … from`, `import()` and `require()` with a literal path.
 */
import { dirname, relative, resolve, sep } from 'node:path';

const inside = (dir, file) => {
  const rel = relative(dir, file);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
};

export default {
  meta: {
    type: 'problem',
    docs: { description: 'a workspace package and the code around it meet only through the package name' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          packageDir: { type: 'string' },
          packageName: { type: 'string' },
          forbiddenFrom: { type: 'array', items: { type: 'string' } },
          shared: { type: 'array', items: { type: 'string' } },
        },
        required: ['root', 'packageDir', 'packageName'],
        additionalProperties: false,
      },
    ],
    messages: {
      leaves:
        "'{{source}}' leaves {{packageName}} ({{packageDir}}/): the package imports only its own files and its declared dependencies.",
      deep: "'{{source}}' reaches into {{packageDir}}/ by path: import it as {{packageName}} (or one of its exports).",
      forbidden: "'{{source}}': {{from}}/ is deployed without {{packageName}}; it must not import it.",
    },
  },
  create(context) {
    const { root, packageDir, packageName, forbiddenFrom = [], shared = [] } = context.options[0];
    const sharedDirs = shared.map((d) => resolve(root, d));
    const pkg = resolve(root, packageDir);
    const file = context.filename;
    const fileInside = inside(pkg, file);
    const banned = forbiddenFrom.find((d) => inside(resolve(root, d), file));

    /** @param {any} node */
    const check = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const source = node.value;
      const data = { source, packageName, packageDir, from: banned };
      if (source === packageName || source.startsWith(`${packageName}/`)) {
        if (banned) context.report({ node, messageId: 'forbidden', data });
        return;
      }
      if (!source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      if (fileInside && !inside(pkg, target) && !sharedDirs.some((d) => inside(d, target)))
        context.report({ node, messageId: 'leaves', data });
      if (!fileInside && inside(pkg, target)) context.report({ node, messageId: 'deep', data });
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
      TSExternalModuleReference: (n) => check(n.expression),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments.length === 1)
          check(n.arguments[0]);
      },
    };
  },
};
