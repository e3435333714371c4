import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'child_process', message: 'Use node:child_process with argument arrays (execFile/spawn), never a shell string.' }] }],
    },
  },
  {
    // The mappings domain is pure: no I/O, no other Tether layer. So is the progress wording
    // that the CLI and the web UI share (the web build bundles it).
    files: ['src/mappings/**/*.ts', 'src/sessions/progress-line.ts'],
    ignores: ['src/mappings/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'child_process', '../store/*', '../runtime/*', '../api/*', '../cli/*', '../sessions/*', '../hostprep/*'] }],
    },
  },
);
