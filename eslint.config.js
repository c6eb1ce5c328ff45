// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer boundaries (STYLE.md): layers import downwards only. Each zone lists the layers its
 * files may not import (matched on the import path); `test/architecture.test.ts` also checks
 * that no import cycle exists.
 */
const SERVICES = [
  'sys',
  'system',
  'runtime',
  'content',
  'layers',
  'metadata',
  'images',
  'containers',
  'network',
  'volumes',
  'logging',
  'build',
  'events',
  'registry',
  'distribution',
];
const PURE = ['core', 'oci', 'api-types', 'archive'];
/** Layer → the layers it may not import. */
const forbiddenImports = {
  // The CLI and the client are API clients: never daemon code.
  cli: ['api', 'daemon', ...SERVICES],
  client: ['api', 'daemon', 'cli', ...SERVICES],
  // Pure layers import nothing above them.
  ...Object.fromEntries(PURE.map((p) => [p, ['api', 'daemon', 'cli', 'client', ...SERVICES]])),
  // Services never see HTTP, the composition root or the clients.
  ...Object.fromEntries(SERVICES.map((s) => [s, ['api', 'daemon', 'cli', 'client']])),
  // The API layer is composed by the daemon, not the other way round.
  api: ['daemon', 'cli', 'client'],
};
const zones = Object.entries(forbiddenImports).map(([layer, forbidden]) => ({
  files: [`src/${layer}/**`],
  forbidden,
}));

const zoneConfigs = zones.map(({ files, forbidden }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^\\.\\.?/(?:\\.\\./)*(?:${forbidden.join('|')})/`,
            message: `layer boundary: ${files.join(', ')} may not import ${forbidden.join(', ')} (see ARCHITECTURE.md)`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
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
    },
  },
  ...zoneConfigs,
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
