/** The keys CLI's commands on tickets: issue, code (the rider app's rotating code), deny. */
import QRCode from 'qrcode';
import { createPublicKey } from 'node:crypto';
import { denyHashOfHolder, denyHashOfTicket } from '../protocol/bundles/deny-list.ts';
import { Base45Error } from '../protocol/ticket/base45.ts';
import { MalformedError } from '../protocol/ticket/cose-sign1.ts';
import { explainDecodeFailure } from '../protocol/ticket/decode-failure.ts';
import { parsePrivateKeyPem, rawPublicKey, toHex } from '../protocol/ticket/ed25519.ts';
import { parseTicketBytes, rotatingCodeText, ticketBytesFromText, type ParsedTicket } from '../protocol/ticket/ticket-code.ts';
import { parseCommandArgs, parseIntegerList, parseIsoTime, parseList, readTextFile, required, UsageError, writeOutputFile } from '../runtime/cli/args.ts';
import type { Command } from '../runtime/cli/run-commands.ts';
import { issueTicket, type TicketRequest } from './issue-ticket.ts';
import { dirOption, publicKeyFile } from './keyring-commands.ts';
import { denyEntry } from './keyring.ts';
import { readIssuerSigningKey, readKeyring } from './keys-dir.ts';
import { parseValidity } from './validity-options.ts';

/** An `FT1:` text given as --NAME, decoded; a text that does not decode says why, in one line. */
function ticketOption(text: string, name: string): ParsedTicket {
  try {
    return parseTicketBytes(ticketBytesFromText(text));
  } catch (error) {
    if (error instanceof Base45Error || error instanceof MalformedError) throw new UsageError(`--${name}: the ticket text ${explainDecodeFailure(error)}`);
    throw error;
  }
}

function hexTicketId(value: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2}){8,16}$/.test(value)) throw new UsageError('--ticket: give the ticket id as 16 to 32 hex digits, or the FT1: text');
  return new Uint8Array(Buffer.from(value, 'hex'));
}

function deny(args: string[]): void {
  const { values } = parseCommandArgs(args, {
    ...dirOption,
    ticket: { type: 'string' },
    'holder-key': { type: 'string' },
    reason: { type: 'string' },
  });
  const dir = required(values, 'dir');
  const ticket = values.ticket as string | undefined;
  const holderPath = values['holder-key'] as string | undefined;
  if ((ticket === undefined) === (holderPath === undefined)) throw new UsageError('give exactly one of --ticket and --holder-key');
  let request;
  if (ticket !== undefined) {
    const cti = ticket.trim().startsWith('FT1:') ? ticketOption(ticket, 'ticket').claims.cti : hexTicketId(ticket);
    request = { kind: 'ticket' as const, value: cti, hash: denyHashOfTicket(cti) };
  } else {
    const holder = rawPublicKey(publicKeyFile(holderPath!, 'holder-key'));
    request = { kind: 'holder' as const, value: holder, hash: denyHashOfHolder(holder) };
  }
  const version = denyEntry(dir, { ...request, ...(values.reason ? { reason: values.reason as string } : {}) });
  console.log(version === undefined ? `${request.kind} already denied; deny list unchanged` : `denied ${request.kind}; deny list v${version}`);
}

async function issue(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    ...dirOption,
    product: { type: 'string' },
    class: { type: 'string' },
    zones: { type: 'string' },
    modes: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
    'valid-for': { type: 'string' },
    'holder-key': { type: 'string' },
    png: { type: 'string' },
  });
  const dir = required(values, 'dir');
  const state = readKeyring(dir);
  const request: TicketRequest = {
    product: required(values, 'product'),
    ...parseValidity(
      { from: values.from as string | undefined, until: values.until as string | undefined, validFor: values['valid-for'] as string | undefined },
      Date.now() / 1000,
    ),
  };
  if (values.class !== undefined) request.fareClass = values.class as string;
  if (values.zones !== undefined) request.zones = parseIntegerList(values.zones as string, 'zones');
  if (values.modes !== undefined) request.modes = parseList(values.modes as string, 'modes');
  if (values['holder-key'] !== undefined) {
    request.holderKey = rawPublicKey(publicKeyFile(values['holder-key'] as string, 'holder-key'));
  }
  const issued = issueTicket(request, readIssuerSigningKey(dir, state.signingKid), Date.now() / 1000);
  if (values.png !== undefined) {
    const png = await QRCode.toBuffer(issued.text, { errorCorrectionLevel: 'M', type: 'png', margin: 4 });
    writeOutputFile(values.png as string, png, 'png');
  }
  console.log(issued.text);
}

function code(args: string[]): void {
  const { values } = parseCommandArgs(args, { 'holder-key': { type: 'string' }, ticket: { type: 'string' }, at: { type: 'string' } });
  const holderPath = required(values, 'holder-key');
  const holder = parsePrivateKeyPem(readTextFile(holderPath, 'holder-key'), `--holder-key ${holderPath}`);
  const ticket = ticketOption(required(values, 'ticket'), 'ticket');
  const holderRaw = rawPublicKey(createPublicKey(holder));
  if (!ticket.claims.holderKey) throw new UsageError('--ticket: this ticket has no holder key (cnf); show it as it is');
  if (toHex(ticket.claims.holderKey) !== toHex(holderRaw)) throw new UsageError('--holder-key: not the key this ticket is bound to');
  const at = values.at === undefined ? new Date() : parseIsoTime(values.at as string, 'at');
  console.log(rotatingCodeText(ticket.bytes, holder, Math.floor(at.getTime() / 1000)));
}

export const TICKET_COMMANDS: Record<string, Command> = {
  deny: {
    usage: `deny --dir DIR (--ticket HEX|FT1:... | --holder-key FILE.pem) [--reason TEXT]
        adds a ticket or a holder key to the signed deny list`,
    run: deny,
  },
  issue: {
    usage: `issue --dir DIR --product P [--class C] [--zones 1,2] [--modes metro,bus]
        [--from TIME] (--until TIME | --valid-for DURATION, e.g. 2h, 1d) [--holder-key FILE.pem] [--png FILE]
        signs a ticket and prints its FT1: text (and writes it as a QR PNG); TIME is ISO 8601
        with a zone, e.g. 2026-11-27T08:00:00Z; --from defaults to now`,
    run: issue,
  },
  code: {
    usage: `code --holder-key FILE.pem --ticket FT1:... [--at TIME]
        the rider app's rotating FD1: code for a ticket bound to a holder key`,
    run: code,
  },
};
