// Small assertions for the browser tests (failures name what differed), and float array comparison.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function ok(value: unknown, message: string): asserts value {
  if (!value) throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function deepEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new AssertionError(`${what}: expected ${e}, got ${a}`);
}

/** The largest |a[i] − b[i]| (lengths must agree). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  equal(a.length, b.length, `${what}: length`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Every |a[i] − b[i]| ≤ atol + rtol·|b[i]|; returns the largest absolute difference. */
export function allClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what: string): number {
  equal(a.length, b.length, `${what}: length`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    if (!(d <= atol + rtol * Math.abs(b[i]))) {
      throw new AssertionError(`${what}: element ${i} is ${a[i]}, expected ${b[i]} (|diff| ${d} > ${atol} + ${rtol}·|expected|)`);
    }
  }
  return max;
}

export async function rejects(p: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new AssertionError(`${what}: expected a rejection`);
}
