// @ts-check
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Layer boundaries (STYLE.md): layers import downwards only. Each zone forbids a layer from
 * importing the layers that sit above it or beside it.
 */
const zones = [
  // The CLI and the client are API clients: never daemon code.
  {
    target: ['./src/cli', './src/client'],
    from: [
      './src/api',
      './src/daemon',
      './src/sys',
      './src/system',
      './src/runtime',
      './src/content',
      './src/layers',
      './src/metadata',
      './src/images',
      './src/containers',
      './src/network',
      './src/volumes',
      './src/logging',
      './src/build',
      './src/events',
    ],
  },
  // The client never reaches up into the CLI.
  { target: './src/client', from: './src/cli' },
  // Pure layers import nothing above them.
  {
    target: ['./src/core', './src/oci', './src/api-types'],
    from: [
      './src/sys',
      './src/api',
      './src/daemon',
      './src/cli',
      './src/client',
      './src/system',
      './src/images',
      './src/containers',
    ],
  },
  // Services never see HTTP or the composition root.
  {
    target: [
      './src/sys',
      './src/system',
      './src/runtime',
      './src/content',
      './src/layers',
      './src/metadata',
      './src/images',
      './src/containers',
      './src/network',
      './src/volumes',
      './src/logging',
      './src/build',
      './src/events',
    ],
    from: ['./src/api', './src/daemon', './src/cli', './src/client'],
  },
  // The API layer is composed by the daemon, not the other way round.
  { target: './src/api', from: ['./src/daemon', './src/cli', './src/client'] },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { typescript: { project: './tsconfig.json' }, node: true },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
