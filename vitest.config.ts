import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores: more files in parallel only makes CPU-bound steps starve each other.
    maxWorkers: 2,
    projects: [
      {
        test: {
          // Pure logic tested beside its code: no MySQL, Redis, SMTP or browser, so it runs in
          // seconds and without any network (`npm run test:unit:offline`).
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**'],
          // Each takes at most ~2 s alone; `npm test` runs them beside CPU-bound integration tests.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // Integration tests talk to real MariaDB/Redis/SMTP and spawn worker processes.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
});
