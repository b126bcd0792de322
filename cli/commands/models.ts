import type { Config } from '../../config/env.ts';
import { createDatabase } from '../../db/client.ts';
import {
  readRegistry,
  type RegistryDecision,
  type RegistryVersion,
} from '../../pipeline/registry/read-registry.ts';
import type { Command } from '../command.ts';

const f3 = (v: number | null) => (v === null ? '  –  ' : v.toFixed(3));

function versionLine(v: RegistryVersion): string {
  // One alias per version: the champion that was also tonight's challenger is shown as champion.
  const alias = v.aliases.includes('champion') ? 'champion' : v.aliases[0];
  const tags = alias ? `[${alias}]` : '';
  const w = v.trainingWindow;
  const split = w?.snapshots?.length
    ? `train cutoffs ${w.snapshots
        .filter((s) => s.role === 'train')
        .map((s) => s.cutoff)
        .join(',')} valid ${w.snapshots.find((s) => s.role === 'valid')?.cutoff ?? '?'}`
    : w
      ? `stratified ${w.validationShare ?? '?'} seed ${w.seed}`
      : '';
  const window = w ? `${split} (${w.validRows} validation rows)` : '';
  const cands = v.candidates.length
    ? `  candidates ${v.candidates.map((c) => `${c.engine}${c.chosen ? '*' : ''} ${f3(c.value)}`).join(', ')}`
    : '';
  const cal = v.calibration
    ? `  ${v.calibration.method} ECE ${f3(v.calibration.eceBefore)}→${f3(v.calibration.eceAfter)}`
    : '';
  const cv = v.cvRocAuc ? `  CV ${f3(v.cvRocAuc.mean)}±${f3(v.cvRocAuc.sd)}` : '';
  return `v${String(v.version).padEnd(5)} ${tags.padEnd(22)} ${v.runKey.padEnd(36)} ${v.engine.padEnd(8)} ROC-AUC ${f3(v.rocAuc)}  PR-AUC ${f3(v.prAuc)}  ${String(v.trainRows).padStart(8)} rows  data ${v.dataFingerprint.slice(0, 12)}  ${window}${cands}${cal}${cv}`;
}

function decisionLine(d: RegistryDecision): string {
  const when = d.decidedAt.toISOString().replace('T', ' ').slice(0, 19);
  const what = d.promoted
    ? `PROMOTED v${d.challengerVersion}`
    : `kept ${d.resultVersion === null ? 'none' : `v${d.resultVersion}`}`;
  const who = d.decidedBy === 'auto' ? `auto ${d.runKey ?? ''}` : `by ${d.actor}`;
  return `${when}  ${d.pipeline.padEnd(20)} ${what.padEnd(14)} ${who.padEnd(38)} ${d.reason}`;
}

/** `cpd models [PIPELINE]`: registered versions (newest first, with aliases) and the decision trail. */
export async function modelsCommand(
  config: Config,
  pipeline: string | undefined,
  json: boolean,
  print: (s: string) => void,
): Promise<number> {
  const database = createDatabase(config.DATABASE_URL);
  try {
    const { versions, decisions } = await readRegistry(database.db, pipeline);
    if (json) {
      print(JSON.stringify({ pipeline: pipeline ?? null, versions, decisions }));
      return 0;
    }
    if (versions.length === 0) {
      print(
        pipeline
          ? `no model versions for ${pipeline}`
          : 'no model versions yet: a run trains one in its train step',
      );
      return 0;
    }
    print('versions (newest first):');
    for (const v of versions) print(`  ${versionLine(v)}`);
    print('');
    print('decisions (newest first):');
    if (decisions.length === 0) print('  none yet');
    for (const d of decisions) print(`  ${decisionLine(d)}`);
    return 0;
  } finally {
    await database.close();
  }
}

export const modelsCmd: Command = {
  name: 'models',
  usage: 'cpd models [PIPELINE] [--json]',
  options: { json: { type: 'boolean', default: false } },
  run: ({ config, values, positionals, print }) =>
    modelsCommand(config, positionals[0], values.json === true, print),
};
