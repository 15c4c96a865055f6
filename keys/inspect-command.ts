/**
 * `keys inspect CODE`: what an FT1: ticket or FD1: rotating code holds — claims, key,
 * issuer, validity — and, given a keys directory, the decision a gate would take and
 * why. The decision comes from the validator's own check (TicketChecker), not a copy.
 */
import { DEFAULT_CHECK_SETTINGS } from '../protocol/bundles/check-settings.ts';
import { Base45Error } from '../protocol/ticket/base45.ts';
import { MalformedError } from '../protocol/ticket/cose-sign1.ts';
import { explainDecodeFailure } from '../protocol/ticket/decode-failure.ts';
import { toHex } from '../protocol/ticket/ed25519.ts';
import { parseCodeText, type ParsedCode } from '../protocol/ticket/ticket-code.ts';
import { parseCommandArgs, parseIsoTime, UsageError } from '../runtime/cli/args.ts';
import { parseGatePlace } from '../runtime/cli/gate-place.ts';
import type { Command } from '../runtime/cli/run-commands.ts';
import { trustStoreFromKeysDir } from '../validator/check/load-keys-dir.ts';
import { PassbackState } from '../validator/check/passback-state.ts';
import { TicketChecker, type Decision, type GateContext } from '../validator/check/ticket-checker.ts';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function decode(text: string): ParsedCode {
  try {
    return parseCodeText(text.trim());
  } catch (error) {
    if (error instanceof Base45Error || error instanceof MalformedError) throw new UsageError(`CODE ${explainDecodeFailure(error)}`);
    throw error;
  }
}

/** What the code says, in the order a person reads it. */
function describeCode(code: ParsedCode): Record<string, string | number | string[] | number[] | null> {
  const { claims, cose } = code.ticket;
  return {
    kind: code.level === 1 ? 'FT1 ticket (level 1)' : 'FD1 rotating code (level 2)',
    ...(code.holderProof && { codeMadeAt: iso(code.holderProof.madeAt) }),
    ticketId: toHex(claims.cti),
    keyId: toHex(cose.kid!),
    issuer: claims.iss ?? null,
    product: claims.prd,
    fareClass: claims.cls,
    zones: claims.zon ?? null,
    modes: claims.mod ?? null,
    validFrom: iso(claims.nbf),
    validUntil: iso(claims.exp),
    issuedAt: claims.iat === undefined ? null : iso(claims.iat),
    holderKey: claims.holderKey ? toHex(claims.holderKey) : null,
  };
}

/** The gate to check at: the options given, else the ticket's own first zone and mode. */
function gateFor(values: Record<string, unknown>, code: ParsedCode): GateContext {
  const { claims } = code.ticket;
  const place = parseGatePlace({
    zone: values.zone ?? String(claims.zon?.[0] ?? 1),
    mode: values.mode ?? claims.mod?.[0] ?? 'metro',
    direction: values.direction ?? 'entry',
  });
  return { station: 'inspect', ...place };
}

function decide(keysDir: string, code: ParsedCode, text: string, gate: GateContext, atSeconds: number): Decision & { keyWindow: string } {
  const trust = trustStoreFromKeysDir(keysDir);
  const checker = new TicketChecker(trust, new PassbackState(), DEFAULT_CHECK_SETTINGS);
  const decision = checker.check(text, gate, { seconds: atSeconds, trusted: true });
  const keys = trust.issuersFor(toHex(code.ticket.cose.kid!));
  const keyWindow =
    keys === undefined
      ? 'not in the trust list'
      : keys.map((key) => `trusted ${iso(key.notBefore)} .. ${key.notAfter === undefined ? 'open' : iso(key.notAfter)}${key.operator ? `, operator ${key.operator}` : ''}`).join('; ');
  return { ...decision, keyWindow };
}

function printText(described: ReturnType<typeof describeCode>, verdict: { decision: Decision & { keyWindow: string }; gate: GateContext; at: string } | undefined): void {
  const list = (value: unknown): string => (Array.isArray(value) ? value.join(', ') : 'any');
  const lines: Array<[string, string]> = [
    ['kind', String(described.kind)],
    ...(described.codeMadeAt ? [['code made at', String(described.codeMadeAt)] as [string, string]] : []),
    ['ticket id', String(described.ticketId)],
    ['key id', `${described.keyId}${verdict ? ` (${verdict.decision.keyWindow})` : ''}`],
    ['issuer', String(described.issuer ?? '(not in the ticket; the key id names it)')],
    ['product', `${described.product}, class ${described.fareClass}`],
    ['zones', list(described.zones)],
    ['modes', list(described.modes)],
    ['valid', `${described.validFrom} .. ${described.validUntil}`],
    ['issued at', String(described.issuedAt ?? '(not stated)')],
    ['holder key', described.holderKey ? `${described.holderKey} (a gate wants the rider's FD1: code)` : 'none'],
  ];
  if (verdict) {
    const { decision, gate, at } = verdict;
    lines.push(['decision', `${decision.decision}${decision.reason === 'ok' ? '' : `: ${decision.reason}`}${decision.detail ? ` (${decision.detail})` : ''}`]);
    lines.push(['checked', `at ${at}, zone ${gate.zone}, ${gate.mode}, ${gate.direction}, default fare settings`]);
  } else {
    lines.push(['decision', 'give --keys DIR to check it against that trust and deny list']);
  }
  for (const [label, value] of lines) console.log(`${label.padEnd(14)}${value}`);
}

async function inspect(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    args,
    { keys: { type: 'string' }, at: { type: 'string' }, zone: { type: 'string' }, mode: { type: 'string' }, direction: { type: 'string' }, json: { type: 'boolean' } },
    true,
  );
  if (positionals.length !== 1) throw new UsageError(`give exactly one CODE (an FT1: or FD1: text, quoted), got ${positionals.length}`);
  const text = positionals[0]!.trim();
  const code = decode(text);
  const described = describeCode(code);
  let verdict;
  if (values.keys !== undefined) {
    const atDate = values.at === undefined ? new Date() : parseIsoTime(values.at as string, 'at');
    const gate = gateFor(values, code);
    verdict = { decision: decide(values.keys as string, code, text, gate, atDate.getTime() / 1000), gate, at: iso(Math.floor(atDate.getTime() / 1000)) };
  } else if (values.at !== undefined || values.zone !== undefined || values.mode !== undefined) {
    throw new UsageError('--at, --zone and --mode need --keys DIR (the trust list to check against)');
  }
  if (values.json) {
    const { keyWindow, ...decision } = verdict?.decision ?? { keyWindow: undefined };
    console.log(JSON.stringify({ ...described, ...(verdict && { check: { ...decision, keyWindow, at: verdict.at, gate: verdict.gate } }) }, null, 2));
    return;
  }
  printText(described, verdict);
}

export const INSPECT_COMMAND: Command = {
  usage: `inspect CODE [--keys DIR [--at TIME] [--zone N] [--mode M] [--direction entry|exit]] [--json]
        decodes an FT1: ticket or FD1: rotating code: claims, key id, issuer, validity window;
        with --keys, the decision a gate would take (at --at, default now; at a gate in the
        ticket's first zone and mode unless given) and the reason`,
  run: inspect,
};
