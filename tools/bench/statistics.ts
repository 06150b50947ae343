/** The little statistics the benchmark needs: medians, spreads and a straight-line fit. */

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A least-squares line y = slope * x + intercept, and how well it fits (R², 1 is a perfect line). */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  readonly rSquared: number;
}

/** Fits a straight line through the points; needs two distinct x values at least. */
export function leastSquares(points: ReadonlyArray<readonly [number, number]>): LinearFit {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (n < 2 || sxx === 0) throw new RangeError("leastSquares: needs at least two distinct x values");
  const sxy = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const totalSquares = points.reduce((sum, [, y]) => sum + (y - meanY) ** 2, 0);
  const residualSquares = points.reduce((sum, [x, y]) => sum + (y - (slope * x + intercept)) ** 2, 0);
  return { slope, intercept, rSquared: totalSquares === 0 ? 1 : 1 - residualSquares / totalSquares };
}
