import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.ci/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/retention/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ecs/**', '**/queue/**', '**/app/**', '**/observability/**'],
              message: 'retention/ and config/ stay free of I/O layers',
            },
            {
              group: ['bullmq', 'ioredis', '@alicloud/*', 'node:http', 'node:net'],
              message: 'retention/ and config/ stay free of I/O',
            },
          ],
        },
      ],
    },
  },
);
