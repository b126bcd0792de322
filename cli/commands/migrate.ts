import { migrateDatabase } from '../../db/migrate.ts';
import type { Command } from '../command.ts';

export const migrateCmd: Command = {
  name: 'migrate',
  usage: 'cpd migrate                       create the database if missing and apply migrations',
  async run({ config, print }) {
    const { database } = await migrateDatabase(config.DATABASE_URL);
    print(`database ${database}: migrations applied`);
    return 0;
  },
};
