// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import packageBoundary from './eslint-rules/packageBoundary.mjs';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'node_modules/**',
      'eslint-rules/**',
      '**/.devhost/**',
      'bench-results/**',
      'eslint.config.mjs',
      'devhost/bin/**',
      'test/devhost/apps/**/*.js',
      'test/devhost/apps/**/*.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // devhost/ is its own package (@saga/devhost): it imports nothing of the product, the product and the
    // tests reach it only through its exports, and the deployed app never imports it. dashboard/server (host-independent,
    // also served by the app in Azure) is the one folder outside that the devhost compiles in with itself.
    files: ['**/*.ts'],
    plugins: { boundaries: { rules: { package: packageBoundary } } },
    rules: {
      'boundaries/package': [
        'error',
        {
          root: import.meta.dirname,
          packageDir: 'devhost',
          packageName: '@saga/devhost',
          forbiddenFrom: ['src', 'mock'],
          shared: ['dashboard/server'],
        },
      ],
    },
  },
  {
    // The dashboard's browser modules: plain JS, no type information.
    files: ['dashboard/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'module',
      parserOptions: { project: false, program: null },
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'fetch',
          'EventSource',
          'confirm',
          'addEventListener',
          'removeEventListener',
          'URL',
          'console',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    // A host loads apps with require(); tests load sample apps the same way.
    files: ['devhost/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The domain is pure: no SDKs, no I/O, no clock.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@azure/*',
            'durable-functions',
            'node:*',
            'fs',
            'http',
            'https',
            'net',
            'crypto',
            '../application/*',
            '../infrastructure/*',
            '../functions/*',
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time enters the domain as input.' },
        { object: 'Math', property: 'random', message: 'The domain is deterministic.' },
      ],
    },
  },
  {
    // Orchestrators are replayed: anything non-deterministic breaks replay.
    files: ['src/**/orchestrators/**/*.ts', 'src/application/workflow/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@azure/*',
            'node:*',
            'fs',
            'http',
            'https',
            'net',
            'crypto',
            'os',
            'child_process',
            '**/infrastructure/**',
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime.' },
        { object: 'Math', property: 'random', message: 'Use context.df.newGuid() or activity results.' },
        { object: 'process', property: 'env', message: 'Configuration reaches the orchestrator as input.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'new Date() is non-deterministic; use context.df.currentUtcDateTime.',
        },
      ],
    },
  },
);
