import type { Pool } from 'mysql2/promise';
import { parseJsonValue } from '../../db/json-column.ts';
import { queryRows } from './query-rows.ts';

export interface GateOutcome {
  gate: string;
  passed: boolean;
  action: string;
  message: string;
}

/** What the publish ledger says about this run, and which run's scores analysts see now. */
export interface PublicationFacts {
  /** The ledger's last action for this run: 'publish', 'blocked' (gate refused) or none yet. */
  action?: string;
  gates: GateOutcome[];
  /** The run whose scores are published now, with its business date. */
  current?: { runKey: string; businessDate: string };
}

export async function gatherPublication(
  pool: Pool,
  runKey: string,
  pipeline: string,
): Promise<PublicationFacts> {
  const facts: PublicationFacts = { gates: [] };
  const [current] = await queryRows<{ run_key: string; business_date: string }>(
    pool,
    'SELECT run_key, business_date FROM customer_scores WHERE pipeline = ? LIMIT 1',
    [pipeline],
  );
  if (current) facts.current = { runKey: current.run_key, businessDate: current.business_date };
  try {
    const [entry] = await queryRows<{ action: string; gates: unknown }>(
      pool,
      'SELECT action, gates FROM score_publications WHERE pipeline = ? AND run_key = ? ORDER BY id DESC LIMIT 1',
      [pipeline, runKey],
    );
    if (entry) {
      facts.action = entry.action;
      const gates = parseJsonValue(entry.gates);
      if (Array.isArray(gates)) facts.gates = gates.map(gateOf);
    }
  } catch (error) {
    // Before the publish ledger exists the facts are just "what is published".
    if ((error as { code?: string }).code !== 'ER_NO_SUCH_TABLE') throw error;
  }
  return facts;
}

function gateOf(raw: unknown): GateOutcome {
  const g = (raw ?? {}) as Record<string, unknown>;
  return {
    gate: String(g.gate ?? g.name ?? 'gate'),
    passed: g.passed !== false,
    action: String(g.action ?? 'block'),
    message: String(g.message ?? ''),
  };
}
