/** Reads a date written in a declared format and returns MySQL's `YYYY-MM-DD HH:MM:SS`, or undefined. */
export type DateReader = (cell: string) => string | undefined;

const TOKENS: Record<string, { re: string; part: 'y' | 'mo' | 'd' | 'h' | 'mi' | 's' }> = {
  YYYY: { re: '(\\d{4})', part: 'y' },
  MM: { re: '(\\d{2})', part: 'mo' },
  M: { re: '(\\d{1,2})', part: 'mo' },
  DD: { re: '(\\d{2})', part: 'd' },
  D: { re: '(\\d{1,2})', part: 'd' },
  HH: { re: '(\\d{2})', part: 'h' },
  H: { re: '(\\d{1,2})', part: 'h' },
  mm: { re: '(\\d{2})', part: 'mi' },
  ss: { re: '(\\d{2})', part: 's' },
};

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Compiles a format such as `DD/MM/YYYY HH:mm` (tokens YYYY MM M DD D HH H mm ss; anything else is
 * literal). Impossible dates (2011-02-30, month 13, hour 24) are refused, never rolled over:
 * MySQL would store them as zero dates with only a warning.
 */
export function compileDateFormat(format: string): DateReader {
  if (format === 'YYYY-MM-DD HH:mm:ss') return readIsoDateTime;
  const parts: ('y' | 'mo' | 'd' | 'h' | 'mi' | 's')[] = [];
  let re = '^';
  for (let i = 0; i < format.length;) {
    const token = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss', 'M', 'D', 'H'].find((t) => format.startsWith(t, i));
    if (token) {
      re += TOKENS[token]!.re;
      parts.push(TOKENS[token]!.part);
      i += token.length;
    } else {
      re += format[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  if (!parts.includes('y') || !parts.includes('mo') || !parts.includes('d')) {
    throw new Error(`date format "${format}" needs YYYY, MM (or M) and DD (or D)`);
  }
  const matcher = new RegExp(`${re}$`);
  const at = (p: (typeof parts)[number]) => parts.indexOf(p) + 1;
  const [iy, imo, id, ih, imi, is] = [at('y'), at('mo'), at('d'), at('h'), at('mi'), at('s')];
  return (cell) => {
    const m = matcher.exec(cell);
    if (!m) return undefined;
    const y = m[iy]!;
    const mo = +m[imo]!;
    const d = +m[id]!;
    const h = ih ? +m[ih]! : 0;
    const mi = imi ? +m[imi]! : 0;
    const s = is ? +m[is]! : 0;
    if (mo < 1 || mo > 12 || d < 1 || d > DAYS[mo - 1]! || h > 23 || mi > 59 || s > 59) return undefined;
    const year = +y;
    if (year < 1000) return undefined;
    if (mo === 2 && d === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
    return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
  };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The common case without a regex or any allocation: the cell is already what MySQL wants. */
function readIsoDateTime(c: string): string | undefined {
  if (
    c.length !== 19 ||
    c.charCodeAt(4) !== 45 ||
    c.charCodeAt(7) !== 45 ||
    c.charCodeAt(10) !== 32 ||
    c.charCodeAt(13) !== 58 ||
    c.charCodeAt(16) !== 58
  )
    return undefined;
  const y1 = twoDigits(c, 0);
  const y2 = twoDigits(c, 2);
  const mo = twoDigits(c, 5);
  const d = twoDigits(c, 8);
  const h = twoDigits(c, 11);
  const mi = twoDigits(c, 14);
  const s = twoDigits(c, 17);
  if (
    y1 < 10 ||
    y2 < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > DAYS[mo - 1]! ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    s < 0 ||
    s > 59
  )
    return undefined;
  const year = y1 * 100 + y2;
  if (mo === 2 && d === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  return c;
}

function twoDigits(c: string, i: number): number {
  const a = c.charCodeAt(i) - 48;
  const b = c.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}
