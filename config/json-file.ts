/** A JSON syntax error with the line and column (1-based) it was found at. */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * JSON.parse that names `origin:line:column`, the offending line and a caret, instead of V8's
 * "at position 165" (Node 20 gives only the offset; the line is what an editor jumps to).
 */
export function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    const source = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '');
    // Long minified lines: show the 60 characters around the column only.
    const from = Math.max(0, column - 40);
    const excerpt = source.slice(from, from + 80);
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new JsonSyntaxError(
      `${origin}:${line}:${column}: invalid JSON: ${reason}\n  ${excerpt}\n  ${' '.repeat(column - 1 - from)}^`,
      line,
      column,
    );
  }
}
