/**
 * The app's top-level folders, highest first: a folder may import itself and every folder below
 * it, never one above. A `leaf` imports nothing of the app but itself (the folders above it may
 * still import it). Folders not listed here (bin, bench, test, lint) and root files may import
 * anything, and no listed folder may import them.
 */
export const layers = [
  // Thin entrypoints: worker, scheduler, board, run/resume/backfill/status commands.
  { folder: 'cli' },
  // The flow as data and run control: start, resume, cancel, catch-up, schedules, deadline.
  { folder: 'workflows' },
  // One BullMQ handler per step and the registry that builds workers from them.
  { folder: 'jobs' },
  // Running one step job: parse the payload, locks, attempts, timeouts, stalled-out, error kinds.
  { folder: 'runner' },
  // What differs between pipeline modes: one interface, one file per mode.
  { folder: 'modes' },
  // Capabilities with their SQL: sources, cleaning, features, quality, registry, publish.
  { folder: 'pipeline' },
  // Gather -> render -> charts, the mailer, alerts.
  { folder: 'reports' },
  // Engines, metrics, calibration, evaluation: pure and fast, so it imports nothing of the app.
  { folder: 'ml', leaf: true },
  // The run ledger: the one owner of run and step status, its transitions and summaries.
  { folder: 'ledger' },
  // Drizzle schema, migrations, client, transaction helper, JSON column type.
  { folder: 'db' },
  // Env schema and loadConfig, pipeline schema, the step catalogue, logger; imports nothing of the app.
  { folder: 'config' },
];

const rank = new Map(layers.map((layer, index) => [layer.folder, index]));

/** The layer a top-level folder belongs to, or undefined when the folder is not a layer. */
export function layerOf(folder) {
  const index = rank.get(folder);
  return index === undefined ? undefined : layers[index];
}

/** Whether code in layer `from` may import code in top-level folder `to` (a layer or not). */
export function mayImport(from, to) {
  if (from === to) return true;
  const toRank = rank.get(to);
  if (toRank === undefined) return false;
  if (layerOf(from)?.leaf) return false;
  return toRank > rank.get(from);
}

/** The folders `from` may import besides itself, in layer order. */
export function importableFrom(from) {
  return layers.map((layer) => layer.folder).filter((to) => to !== from && mayImport(from, to));
}

/** The allowed order in one line, for messages: the chain, then each leaf and who may use it. */
export function describeOrder() {
  const chain = layers.filter((layer) => !layer.leaf).map((layer) => layer.folder);
  const leaves = layers
    .map((layer, index) => ({ layer, above: layers[index - 1]?.folder }))
    .filter(({ layer }) => layer.leaf)
    .map(({ layer, above }) => `${layer.folder} (imported by ${above} and above) imports nothing of the app`);
  return [chain.join(' -> '), ...leaves].join('; ');
}
