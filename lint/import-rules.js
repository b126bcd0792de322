import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import { importLayers } from './import-layers.js';

/**
 * The house rules on imports, as one flat-config block shared by eslint.config.js and the test
 * that proves they bite: one direction between top-level folders (layers.js), no cycles, one
 * sorted block. `root` is the repository root the layers are folders of.
 */
export function importRules({ root }) {
  return {
    files: ['**/*.{ts,js,mjs}'],
    plugins: {
      cpd: { meta: { name: 'cpd' }, rules: { 'import-layers': importLayers } },
      'import-x': importX,
      'simple-import-sort': simpleImportSort,
    },
    settings: {
      // Our imports name the file, `.ts` included; a `.mjs` entry may import TypeScript too.
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mjs', '.js', '.json'] })],
    },
    rules: {
      'cpd/import-layers': ['error', { root }],
      // Type-only imports vanish at run time, so the cycle check follows value imports only;
      // packages cannot import us back, so it does not walk them.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // One block without blank lines, as the code is written: side effects, node:, packages,
      // then relative paths, farthest first.
      'simple-import-sort/imports': ['error', { groups: [['^\\u0000', '^node:', '^@?\\w', '^', '^\\.']] }],
      'simple-import-sort/exports': 'error',
    },
  };
}
