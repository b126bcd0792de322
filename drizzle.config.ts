import { defineConfig } from 'drizzle-kit';

// Generating migrations needs no database; `cpd migrate` applies them (and creates the database).
export default defineConfig({
  dialect: 'mysql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});
