// Lint for bugs, not style (Prettier owns the layout): floating or misused promises, awaiting what is
// not a promise, unused code, objects stringified as [object Object]. Type-aware where a tsconfig covers
// the file; templates/**/*.ts get the rules that need no types, since a layer does not type-check alone.
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const typeAwareRules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  '@typescript-eslint/await-thenable': 'error',
  '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
  '@typescript-eslint/prefer-promise-reject-errors': 'error',
  '@typescript-eslint/no-unnecessary-type-assertion': 'error',
  '@typescript-eslint/no-base-to-string': 'error',
  '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
};

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.bench-results/', '.scratch/', '**/node_modules/']),
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Deliberate where a declaration holds values of any type (OptionSpec<any>).
      '@typescript-eslint/no-explicit-any': 'off',
      'no-unused-private-class-members': 'error',
      // The CLI's errors are one-line messages for people (src/errors.ts); a cause would be printed nowhere.
      'preserve-caught-error': 'off',
    },
  },
  {
    // Tests match terminal escapes and control characters on purpose.
    files: ['test/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // The CLI, its tests and bench, and the generated default project as users get it (test/snapshots/default,
    // with its own tsconfig.json; the SDK packages it imports are not installed here, so their types are unknown).
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: typeAwareRules,
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
