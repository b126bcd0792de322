import { describe, expect, it } from 'vitest';
import {
  boundedMessage,
  isPermanent,
  loggableError,
  oversizedStatement,
  PermanentError,
  QUOTED_VALUE_MAX,
} from './errors.ts';

/** A mysql2 server error as mysql2 builds it: code, errno, sqlMessage, and the SQL with its values in `sql`. */
function serverError(errno: number, code: string, message: string, sqlText = ''): Error {
  return Object.assign(new Error(message), {
    code,
    errno,
    sqlState: 'HY000',
    sqlMessage: message,
    sql: sqlText,
  });
}

/** Drizzle's wrapper: "Failed query: <sql>\nparams: <values>" with the server error as cause. */
function drizzleError(query: string, params: unknown[], cause: Error): Error {
  const e = new Error(`Failed query: ${query}\nparams: ${params.join(',')}`, { cause });
  return Object.assign(e, { query, params });
}

const longest = (text: string, value: string): number => {
  // The longest run of the value's characters that the text repeats verbatim.
  let best = 0;
  for (let len = 1; len <= value.length; len++) if (text.includes(value.slice(0, len))) best = len;
  return best;
};

describe('deterministic database errors are permanent', () => {
  it.each([
    [1153, 'ER_NET_PACKET_TOO_LARGE', "Got a packet bigger than 'max_allowed_packet' bytes"],
    [1406, 'ER_DATA_TOO_LONG', "Data too long for column 'name' at row 1"],
    [1366, 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', "Incorrect integer value: 'x' for column 'n' at row 1"],
    [1054, 'ER_BAD_FIELD_ERROR', "Unknown column 'nope' in 'field list'"],
    [1064, 'ER_PARSE_ERROR', "You have an error in your SQL syntax near 'SELEC' at line 1"],
  ])('errno %i (%s), also wrapped by Drizzle', (errno, code, message) => {
    const err = serverError(errno, code, message);
    expect(isPermanent(err)).toBe(true);
    expect(isPermanent(drizzleError('insert into t values (?)', [1], err))).toBe(true);
  });

  it('connection and lock errors stay transient', () => {
    expect(isPermanent(serverError(1213, 'ER_LOCK_DEADLOCK', 'Deadlock found'))).toBe(false);
    expect(isPermanent(serverError(1205, 'ER_LOCK_WAIT_TIMEOUT', 'Lock wait timeout exceeded'))).toBe(false);
    expect(
      isPermanent(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 })),
    ).toBe(false);
    expect(isPermanent(new PermanentError('bad row'))).toBe(true);
  });
});

describe('error messages never carry more than a few dozen characters of any value', () => {
  const blob = Buffer.alloc(200_000, 7).toString('hex');
  const secretish = 'customer-' + 'x'.repeat(500);

  it("drops Drizzle's params line and keeps the server's words", () => {
    const cause = serverError(
      1153,
      'ER_NET_PACKET_TOO_LARGE',
      "Got a packet bigger than 'max_allowed_packet' bytes",
    );
    const msg = boundedMessage(
      drizzleError('insert into `model_versions` (`model`, `name`) values (?, ?)', [blob, secretish], cause),
    );
    expect(msg).toContain("Got a packet bigger than 'max_allowed_packet' bytes");
    expect(msg).toContain('insert into `model_versions`');
    expect(longest(msg, blob)).toBeLessThanOrEqual(QUOTED_VALUE_MAX);
    expect(longest(msg, secretish)).toBeLessThanOrEqual(QUOTED_VALUE_MAX);
  });

  it('cuts quoted literals and long unbroken tokens, keeps prose with apostrophes', () => {
    const msg = boundedMessage(
      new Error(
        `Incorrect datetime value: '${secretish}' for column 'd'; near X'${blob}' and ${blob.toUpperCase()}`,
      ),
    );
    expect(longest(msg, secretish)).toBeLessThanOrEqual(QUOTED_VALUE_MAX);
    expect(longest(msg, blob)).toBeLessThanOrEqual(QUOTED_VALUE_MAX);
    expect(longest(msg, blob.toUpperCase())).toBeLessThanOrEqual(QUOTED_VALUE_MAX);
    expect(msg).toContain(`(${secretish.length} chars)`);
    const prose = "the worker's lock was lost while the step's event loop was blocked; it isn't retried";
    expect(boundedMessage(new Error(prose))).toBe(prose);
  });

  it('logs no sql, params or blobs', () => {
    const cause = serverError(
      1406,
      'ER_DATA_TOO_LONG',
      "Data too long for column 'n' at row 1",
      `insert ... '${blob}'`,
    );
    const logged = JSON.stringify(loggableError(drizzleError('insert into t values (?)', [blob], cause)));
    expect(logged).not.toContain(blob.slice(0, QUOTED_VALUE_MAX + 1));
    expect(logged.length).toBeLessThan(3000);
  });
});

describe('a connection reset while sending a statement over the packet limit', () => {
  function drizzleError(code: string, value: string): Error {
    const cause = Object.assign(new Error(`write ${code}`), { code });
    return Object.assign(new Error(`Failed query: insert into t values (?)\nparams: ${value}`, { cause }), {
      query: 'insert into t values (?)',
      params: [value],
    });
  }

  it('is the permanent packet error, with both sizes and no value', async () => {
    const value = 'ab'.repeat(5000);
    const err = await oversizedStatement(drizzleError('ECONNRESET', value), async () => 4096);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err!.message).toMatch(/max_allowed_packet.*about 100\d\d bytes.*allows 4096/);
    expect(err!.message).not.toContain(value.slice(0, QUOTED_VALUE_MAX + 1));
  });

  it('stays transient when the statement fits, or the error is not a reset', async () => {
    expect(await oversizedStatement(drizzleError('ECONNRESET', 'small'), async () => 4096)).toBeUndefined();
    const refused = drizzleError('ECONNREFUSED', 'x'.repeat(9000));
    expect(await oversizedStatement(refused, async () => 4096)).toBeUndefined();
  });
});
