// ESM + TypeScript, as in actions/typescript-action: tests import src/*.ts
// directly through ts-jest.
export default {
  preset: 'ts-jest/presets/default-esm',
  resolver: 'ts-jest-resolver',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['**/__tests__/**/*.test.ts'],
  // Generated trees (bench work dirs, example builds) hold package.json files jest must not index.
  modulePathIgnorePatterns: ['<rootDir>/bench/work/', '<rootDir>/examples/[^/]+/build/', '<rootDir>/lib/', '<rootDir>/out/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 120000,
  // Tests make their temporary directories with __tests__/helpers/tmp.ts; a run
  // that leaves any in os.tmpdir() fails (KEEP_TEST_TMP=1 keeps them instead).
  globalSetup: '<rootDir>/__tests__/helpers/tmp-setup.js',
  testResultsProcessor: '<rootDir>/__tests__/helpers/tmp-check.js',
  collectCoverageFrom: ['./src/**'],
};
