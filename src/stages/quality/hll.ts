// HyperLogLog distinct-count sketch (Flajolet et al. 2007) with linear counting for small sets.
//
//   value ─► text key ─► 32-bit hash ─► top p bits pick a register,
//                                       the rest's leading zeros + 1 is the rank kept (max per register)
//   estimate = alpha·m² / Σ 2^-register   (linear counting m·ln(m/zeros) while the estimate is small)

/** FNV-1a over UTF-16 code units, then the murmur3 finaliser to spread the bits. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class HyperLogLog {
  readonly registers: Uint8Array;
  private readonly m: number;
  private readonly maxRank: number;

  /** `precision` p gives 2^p registers and a standard error of about 1.04 / sqrt(2^p) (1.6% at 12). */
  constructor(readonly precision = 12) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) throw new RangeError(`HyperLogLog precision must be 4..16, got ${precision}`);
    this.m = 1 << precision;
    this.registers = new Uint8Array(this.m);
    this.maxRank = 32 - precision + 1;
  }

  addHash(h: number): void {
    const idx = h >>> (32 - this.precision);
    const rest = (h << this.precision) >>> 0;
    const rank = Math.min(Math.clz32(rest) + 1, this.maxRank);
    if (rank > (this.registers[idx] ?? 0)) this.registers[idx] = rank;
  }

  add(key: string): void {
    this.addHash(hash32(key));
  }

  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) throw new RangeError('cannot merge HyperLogLog sketches of different precision');
    for (let i = 0; i < this.m; i++) {
      const r = other.registers[i] ?? 0;
      if (r > (this.registers[i] ?? 0)) this.registers[i] = r;
    }
  }

  estimate(): number {
    const m = this.m;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i] ?? 0;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    const two32 = 2 ** 32;
    if (raw > two32 / 30) return Math.round(-two32 * Math.log(1 - raw / two32));
    return Math.round(raw);
  }
}
