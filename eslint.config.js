import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Besides style, this enforces the process boundaries the folders stand for:
 * `common/` code is pure (no Node, no Electron, no DOM); `main/node/` never touches Electron;
 * the renderer reaches the main side only through the API client.
 */
const nodeBuiltins = { group: ['node:*'], message: 'common/ code is pure: no Node APIs.' };
const electron = { name: 'electron', message: 'Only main/electron-main/ and preload/electron/ may use Electron.' };

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', '.electron-native/', 'test-results/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['main/common/**', 'preload/common/**', 'models/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron], patterns: [nodeBuiltins] }] },
  },
  {
    files: ['main/node/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron] }] },
  },
  {
    files: ['renderer/**', 'preload/browser/**'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser page: no Node APIs.' },
            { group: ['**/main/node/**', '**/main/electron-main/**'], message: 'Reach the main side through the API client.' },
          ],
        },
      ],
    },
  },
);
