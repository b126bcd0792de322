import { createDatabase } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { refreshScoreViews } from '../../pipeline/publish/refresh-views.ts';
import type { Command } from '../command.ts';

export const migrateCmd: Command = {
  name: 'migrate',
  usage: 'cpd migrate                       create the database if missing and apply migrations',
  async run({ config, print }) {
    const { database } = await migrateDatabase(config.DATABASE_URL);
    // A migration that adds score columns redefines the views over the empty template; pointing
    // them back at every pipeline's published table at once keeps analysts' rows across an upgrade.
    const db = createDatabase(config.DATABASE_URL, { connectionLimit: 1 });
    try {
      const conn = await db.pool.getConnection();
      try {
        await refreshScoreViews(conn);
      } finally {
        conn.release();
      }
    } finally {
      await db.close();
    }
    print(`database ${database}: migrations applied`);
    return 0;
  },
};
