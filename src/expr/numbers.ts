// Decimal rounding as Spark does it: on the shortest decimal form of a double, HALF_UP (away from zero on .5).

/** round(x, scale) with HALF_UP on the decimal digits, so round(2.675, 2) is 2.68 as in Spark, not 2.67. */
export function roundHalfUp(x: number, scale: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const neg = x < 0;
  const [mant = '0', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  // Value = 0.digits * 10^(exp + 1); keep (exp + 1 + scale) digits.
  const exp = Number(expText);
  const keep = exp + 1 + scale;
  if (keep >= digits.length) return x;
  if (keep < 0) return neg ? -0 : 0;
  let kept = keep === 0 ? 0n : BigInt(digits.slice(0, keep));
  if ((digits.charCodeAt(keep) - 48) >= 5) kept += 1n;
  const r = Number(`${kept}e${exp + 1 - keep}`);
  return neg ? -r : r;
}
