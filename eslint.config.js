import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importRules } from './lint/import-rules.js';

export default tseslint.config(
  {
    // Generated, vendored or scratch, never hand-written: keep in step with .gitignore.
    ignores: [
      '**/node_modules/**',
      'db/migrations/**',
      'reports/out/**',
      'reports/outbox/**',
      'dist/**',
      'coverage/**',
      'bench/.data/**',
      'var/**',
      'test/artifacts/**',
      'lint/.tmp-*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  // Imports flow one way between the top-level folders (lint/layers.js), never in a cycle, sorted.
  importRules({ root: import.meta.dirname }),
);
