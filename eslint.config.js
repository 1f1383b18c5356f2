import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Each third-party library lives behind the one module (or folder) that owns it; the rest of
// the code uses that module. Tests and scripts may use the libraries directly.
const OWNERS = {
  execa: ['agent/exec/command.ts'],
  'simple-git': ['agent/exec/git.ts'],
  'better-sqlite3': ['coordinator/store/**/*.ts'],
  // node-postgres: one pool module; the PostgreSQL store and the leader lease (coordinator/ha/) use it
  pg: ['coordinator/store/pg-client.ts'],
  'node-cron': ['coordinator/schedule/cron.ts'],
  'prom-client': ['coordinator/metrics.ts'],
  winston: ['shared/logger.ts'],
  '@grpc/proto-loader': ['shared/proto.ts'],
  protobufjs: ['shared/proto.ts'],
  // the transport: the agent's link, convoyd's RPC layer and listener, the CLI's client
  '@grpc/grpc-js': [
    'agent/link/**/*.ts',
    'coordinator/rpc/**/*.ts',
    'coordinator/daemon.ts',
    'coordinator/cli/client.ts',
    'coordinator/cli/errors.ts',
    'shared/proto.ts',
    'shared/tls-client.ts',
    'shared/wire-size.ts',
  ],
};
const PRODUCTION = ['agent/**/*.ts', 'coordinator/**/*.ts', 'shared/**/*.ts', 'samples/**/*.ts'];
const restrictedImports = (allowed) => [
  'error',
  {
    paths: Object.entries(OWNERS)
      .filter(([lib]) => !allowed.includes(lib))
      .map(([lib, owners]) => ({ name: lib, message: `Only ${owners.join(', ')} may import ${lib}; use that module.` })),
  },
];
// the files that own a library may import it (and no other library they do not own)
const ownerFiles = [...new Set(Object.values(OWNERS).flat())];
const ownerBlocks = ownerFiles.map((file) => ({
  files: [file],
  rules: {
    'no-restricted-imports': restrictedImports(
      Object.entries(OWNERS)
        .filter(([, owners]) => owners.some((o) => o === file || (o.endsWith('/**/*.ts') && file.startsWith(o.slice(0, -7)))))
        .map(([lib]) => lib),
    ),
  },
}));

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
  { files: PRODUCTION, rules: { 'no-restricted-imports': restrictedImports([]) } },
  ...ownerBlocks,
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  // CommonJS config files (mocha's): require, module and __dirname are theirs.
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
