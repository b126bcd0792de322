/**
 * A step's phase timings: each call records, under its name, the milliseconds since the previous
 * call (or since the stopwatch started) into `into`, which goes into the step's details.
 */
export function stopwatch(into: Record<string, number>): (name: string) => void {
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    into[name] = Math.round(now - last);
    last = now;
  };
}
