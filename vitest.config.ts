import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    // Integration tests talk to real MariaDB/Redis/SMTP and spawn worker processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more files in parallel only makes CPU-bound steps starve each other.
    maxWorkers: 2,
  },
});
