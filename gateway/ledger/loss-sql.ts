/**
 * What declared losses and seq conflicts add to the ledger, shared by both dialects:
 * the watermark that walks over declared losses, open gaps with the declared ranges
 * taken out, and the digest that keeps each distinct conflicting record once.
 */
import { createHash } from 'node:crypto';
import type { DeclaredLoss, SeqGap } from './ledger.ts';

/**
 * The new watermark from `was`: repeatedly, if seq w+1 is stored, to the end of the run
 * of consecutive stored seqs starting there (walking the (device, seq) key upward to
 * the first seq whose successor is missing); else, if a declared loss covers w+1, to
 * the end of that loss; else stop. `device` and `was` are SQL expressions (placeholders
 * or outer columns). Each step moves forward, so the recursion ends.
 */
export function watermarkWalkSql(device: string, was: string): string {
  return `WITH RECURSIVE walk(w) AS (
    SELECT ${was}
    UNION ALL
    SELECT CASE
      WHEN EXISTS (SELECT 1 FROM records e WHERE e.device = ${device} AND e.seq = walk.w + 1)
      THEN (SELECT r.seq FROM records r WHERE r.device = ${device} AND r.seq > walk.w
              AND NOT EXISTS (SELECT 1 FROM records n WHERE n.device = r.device AND n.seq = r.seq + 1)
            ORDER BY r.seq LIMIT 1)
      ELSE (SELECT MAX(l.to_seq) FROM declared_losses l
              WHERE l.device = ${device} AND l.from_seq <= walk.w + 1 AND l.to_seq > walk.w)
    END FROM walk WHERE walk.w IS NOT NULL
  ) SELECT MAX(w) FROM walk`;
}

/** The parts of each gap that no declared loss of its device covers. */
export function subtractLosses(gaps: readonly SeqGap[], losses: readonly DeclaredLoss[]): SeqGap[] {
  const byDevice = new Map<string, DeclaredLoss[]>();
  for (const loss of losses) byDevice.set(loss.device, [...(byDevice.get(loss.device) ?? []), loss]);
  const open: SeqGap[] = [];
  for (const gap of gaps) {
    let pieces = [gap];
    for (const loss of byDevice.get(gap.device) ?? []) {
      pieces = pieces.flatMap((piece) => {
        if (loss.toSeq < piece.fromSeq || loss.fromSeq > piece.toSeq) return [piece];
        const left = loss.fromSeq > piece.fromSeq ? [{ ...piece, toSeq: loss.fromSeq - 1 }] : [];
        const right = loss.toSeq < piece.toSeq ? [{ ...piece, fromSeq: loss.toSeq + 1 }] : [];
        return [...left, ...right];
      });
    }
    open.push(...pieces);
  }
  return open;
}

/** A record's content key, independent of the order of its fields. */
export function recordDigest(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
