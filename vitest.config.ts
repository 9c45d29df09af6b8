import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The committed snapshot of a generated project holds that project's own tests.
    exclude: [...configDefaults.exclude, 'test/snapshots/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/config-home.ts'],
    testTimeout: 30_000,
    hookTimeout: 300_000,
  },
});
