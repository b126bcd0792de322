import path from 'node:path';
import { describeOrder, importableFrom, layerOf, mayImport } from './layers.js';

/** The string a module specifier node holds, or undefined when it is computed at run time. */
function specifierOf(node) {
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.value.cooked;
  return undefined;
}

/**
 * The top-level folder of an absolute path inside `root`: '' for a root file, undefined for a
 * path outside the repository.
 */
function topFolderOf(root, absolute) {
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const parts = relative.split(path.sep);
  return parts.length === 1 ? '' : parts[0];
}

/**
 * Imports flow one way between the top-level folders (the table is in layers.js). Reports every
 * relative import, re-export, literal import() and type import from a layer into a folder it may
 * not import: one above it, any other folder from a leaf (ml), or a folder that is not a layer
 * (test/, bench/, bin/). Type imports count: they couple the folders all the same.
 */
export const importLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports flow one way between the top-level folders (lint/layers.js)' },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string', description: 'the repository root; defaults to cwd' } },
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden:
        '{{from}}/ may not import {{to}}: {{from}}/ may import only {{allowed}}. ' +
        'Imports flow one way: {{order}}.',
    },
  },
  create(context) {
    const root = path.resolve(context.options[0]?.root ?? context.cwd);
    const from = topFolderOf(root, context.physicalFilename);
    if (from === undefined || layerOf(from) === undefined) return {};

    function check(sourceNode) {
      const specifier = specifierOf(sourceNode);
      if (specifier === undefined || !(specifier.startsWith('./') || specifier.startsWith('../'))) return;
      const to = topFolderOf(root, path.resolve(path.dirname(context.physicalFilename), specifier));
      if (to === undefined || mayImport(from, to)) return;
      const allowed = importableFrom(from);
      context.report({
        node: sourceNode,
        messageId: 'forbidden',
        data: {
          from,
          to: to === '' ? 'the repository root' : `${to}/`,
          allowed:
            allowed.length > 0
              ? `${from}/ itself and ${allowed.map((f) => `${f}/`).join(', ')}`
              : `${from}/ itself`,
          order: describeOrder(),
        },
      });
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // `import x = require('../y.ts')` and `typeof import('../y.ts')` in TypeScript.
      TSExternalModuleReference: (node) => check(node.expression),
      TSImportType: (node) => check(node.source ?? node.argument?.literal),
    };
  },
};
