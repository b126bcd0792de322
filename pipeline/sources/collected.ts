/** One input of a run as collect found it: what load reads, where it came from, its fingerprint. */
export interface Collected {
  source: string;
  kind: 'file' | 'http' | 'sql';
  /** The path, the URL, or `sql:<source>`: identifies the input across runs. */
  origin: string;
  /** The local file load reads (HTTP bodies and query results are landed first). */
  path: string;
  sha256: string;
  bytes: number;
  modifiedAt: Date | null;
}
