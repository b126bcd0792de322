/**
 * Replace C0/C1 control characters (CR, LF, ESC, ...) with a space. Untrusted strings must not
 * break a mail header line or an aligned text table, nor send escapes to someone's terminal.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

export function stripControl(value: string): string {
  return value.replace(CONTROL, ' ');
}
