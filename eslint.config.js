import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import graft from './scripts/eslintLayers.js';

/**
 * Besides style, this enforces the process map of src/ (scripts/eslintLayers.js): which folder
 * may import which, and which packages each process may load.
 */
export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', '.electron-native/', 'test-results/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { graft },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'graft/layers': 'error',
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
    files: ['src/renderer/**'],
    ignores: ['src/renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
