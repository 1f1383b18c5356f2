import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // shared/generated/ is written by `npm run proto:types` and checked against proto/ by a unit test, not by hand
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'deploy/**', 'samples/**/*.mjs', 'shared/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // every outbound request of convoyd has one deadline and a body limit: shared/http-client.ts
    files: ['coordinator/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Use httpRequest from shared/http-client.ts (one deadline, a body limit).' },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
