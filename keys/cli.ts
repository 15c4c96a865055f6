/**
 * `npm run keys -- <command>`: the operator's key tooling (root and issuer keys,
 * trust and deny lists, issuing tickets, and the rider app's rotating code).
 */
import QRCode from 'qrcode';
import { createPublicKey } from 'node:crypto';
import { BundleError } from '../protocol/bundles/signed-bundle.ts';
import { denyHashOfHolder, denyHashOfTicket, openDenyList } from '../protocol/bundles/deny-list.ts';
import { openTrustList } from '../protocol/bundles/trust-list.ts';
import { MalformedError } from '../protocol/ticket/cose-sign1.ts';
import { KeyError, kidOf, parsePrivateKeyPem, parsePublicKeyPem, rawPublicKey, toHex } from '../protocol/ticket/ed25519.ts';
import { parseTicketBytes, rotatingCodeText, ticketBytesFromText } from '../protocol/ticket/ticket-code.ts';
import { Base45Error } from '../protocol/ticket/base45.ts';
import { parseCommandArgs, parseIntegerList, parseIsoTime, parseList, readTextFile, required, UsageError } from '../runtime/cli/args.ts';
import { runCommands } from '../runtime/cli/run-commands.ts';
import { writeFileAtomic } from '../runtime/atomic-file.ts';
import { issueTicket, TicketRequestError, type TicketRequest } from './issue-ticket.ts';
import { parseValidity } from './validity-options.ts';
import { addIssuer, denyEntry, initKeys, retireIssuer, rotateIssuer } from './keyring.ts';
import { KEYS_FILES, KeysDirError, readBundle, readIssuerSigningKey, readKeyring, readRootPublicKey } from './keys-dir.ts';

const USAGE = `usage: npm run keys -- <command> [options]
  init --dir DIR [--operator ID] [--validity-days N]
  add-issuer --dir DIR --public-key FILE.pem [--not-before ISO] [--not-after ISO]
  rotate --dir DIR [--validity-days N]
  retire --dir DIR --kid HEX
  deny --dir DIR (--ticket HEX|FT1:... | --holder-key FILE.pem) [--reason TEXT]
  issue --dir DIR --product P [--class C] [--zones 1,2] [--modes metro,bus]
        [--from ISO] (--until ISO | --valid-for DURATION, e.g. 2h, 1d) [--holder-key FILE.pem] [--png FILE]
  code --holder-key FILE.pem --ticket FT1:... [--at ISO]
  list --dir DIR [--json]`;

const dirOption = { dir: { type: 'string' } } as const;

function validityDays(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError('--validity-days: must be a whole number of days, at least 1');
  }
  return Number(value);
}

function publicKeyFile(path: string, name: string) {
  return parsePublicKeyPem(readTextFile(path, name), `--${name} ${path}`);
}

const commands: Record<string, (args: string[]) => Promise<void> | void> = {
  init(args) {
    const { values } = parseCommandArgs(args, { ...dirOption, operator: { type: 'string' }, 'validity-days': { type: 'string' } });
    const dir = required(values, 'dir');
    const options: { operator?: string; validityDays?: number } = {};
    if (values.operator !== undefined) options.operator = values.operator as string;
    const days = validityDays(values['validity-days']);
    if (days !== undefined) options.validityDays = days;
    const state = initKeys(dir, options);
    console.log(`initialised ${dir}: root key, issuer ${state.signingKid}, trust list v${state.trustVersion}, deny list v${state.denyVersion}`);
  },
  'add-issuer'(args) {
    const { values } = parseCommandArgs(args, {
      ...dirOption,
      'public-key': { type: 'string' },
      'not-before': { type: 'string' },
      'not-after': { type: 'string' },
    });
    const dir = required(values, 'dir');
    const key = publicKeyFile(required(values, 'public-key'), 'public-key');
    const window: { notBefore?: Date; notAfter?: Date } = {};
    if (values['not-before'] !== undefined) window.notBefore = parseIsoTime(values['not-before'] as string, 'not-before');
    if (values['not-after'] !== undefined) window.notAfter = parseIsoTime(values['not-after'] as string, 'not-after');
    const entry = addIssuer(dir, key, window);
    console.log(`trusted issuer ${entry.kid} from ${entry.notBefore} until ${entry.notAfter ?? 'no end'}`);
  },
  rotate(args) {
    const { values } = parseCommandArgs(args, { ...dirOption, 'validity-days': { type: 'string' } });
    const days = validityDays(values['validity-days']);
    const entry = rotateIssuer(required(values, 'dir'), days === undefined ? {} : { validityDays: days });
    console.log(`new signing key ${entry.kid}; earlier keys stay trusted until their windows end`);
  },
  retire(args) {
    const { values } = parseCommandArgs(args, { ...dirOption, kid: { type: 'string' } });
    const kid = required(values, 'kid');
    if (!/^[0-9a-fA-F]{16}$/.test(kid)) throw new UsageError('--kid: a kid is 16 hex digits');
    const entry = retireIssuer(required(values, 'dir'), kid);
    console.log(`issuer ${entry.kid} window now ends ${entry.notAfter}`);
  },
  deny(args) {
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
      const cti = ticket.startsWith('FT1:') ? parseTicketBytes(ticketBytesFromText(ticket)).claims.cti : hexTicketId(ticket);
      request = { kind: 'ticket' as const, value: cti, hash: denyHashOfTicket(cti) };
    } else {
      const holder = rawPublicKey(publicKeyFile(holderPath!, 'holder-key'));
      request = { kind: 'holder' as const, value: holder, hash: denyHashOfHolder(holder) };
    }
    const version = denyEntry(dir, { ...request, ...(values.reason ? { reason: values.reason as string } : {}) });
    console.log(version === undefined ? `${request.kind} already denied; deny list unchanged` : `denied ${request.kind}; deny list v${version}`);
  },
  async issue(args) {
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
      writeFileAtomic(values.png as string, png);
    }
    console.log(issued.text);
  },
  code(args) {
    const { values } = parseCommandArgs(args, { 'holder-key': { type: 'string' }, ticket: { type: 'string' }, at: { type: 'string' } });
    const holderPath = required(values, 'holder-key');
    const holder = parsePrivateKeyPem(readTextFile(holderPath, 'holder-key'), `--holder-key ${holderPath}`);
    const ticketBytes = ticketBytesFromText(required(values, 'ticket'));
    const ticket = parseTicketBytes(ticketBytes);
    const holderRaw = rawPublicKey(createPublicKey(holder));
    if (!ticket.claims.holderKey) throw new UsageError('--ticket: this ticket has no holder key (cnf); show it as it is');
    if (toHex(ticket.claims.holderKey) !== toHex(holderRaw)) throw new UsageError('--holder-key: not the key this ticket is bound to');
    const at = values.at === undefined ? new Date() : parseIsoTime(values.at as string, 'at');
    console.log(rotatingCodeText(ticketBytes, holder, Math.floor(at.getTime() / 1000)));
  },
  list(args) {
    const { values } = parseCommandArgs(args, { ...dirOption, json: { type: 'boolean' } });
    const dir = required(values, 'dir');
    const state = readKeyring(dir);
    const root = readRootPublicKey(dir);
    const trust = openTrustList(readBundle(dir, KEYS_FILES.trustList), root);
    const deny = openDenyList(readBundle(dir, KEYS_FILES.denyList), root);
    const summary = {
      operator: state.operator ?? null,
      rootKid: toHex(kidOf(rawPublicKey(root))),
      signingKid: state.signingKid,
      issuers: state.issuers,
      trustList: { version: trust.version, issuedAt: new Date(trust.issuedAt * 1000).toISOString(), keys: trust.issuers.length },
      denyList: { version: deny.version, issuedAt: new Date(deny.issuedAt * 1000).toISOString(), entries: deny.entries.size },
    };
    if (values.json) return void console.log(JSON.stringify(summary, null, 2));
    console.log(`operator      ${summary.operator ?? '(none)'}\nroot kid      ${summary.rootKid}`);
    console.log(`trust list    v${trust.version} (${summary.trustList.issuedAt}), ${trust.issuers.length} issuer keys`);
    console.log(`deny list     v${deny.version} (${summary.denyList.issuedAt}), ${deny.entries.size} entries`);
    for (const issuer of state.issuers) {
      const flags = [issuer.kid === state.signingKid ? 'signing' : '', issuer.hasPrivateKey ? '' : 'public only'].filter(Boolean);
      console.log(`issuer ${issuer.kid}  ${issuer.notBefore} .. ${issuer.notAfter ?? 'open'}  ${flags.join(', ')}`);
    }
  },
};

function hexTicketId(value: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2}){8,16}$/.test(value)) throw new UsageError('--ticket: give the ticket id as 16 to 32 hex digits, or the FT1: text');
  return new Uint8Array(Buffer.from(value, 'hex'));
}

await runCommands('keys', USAGE, commands, [KeyError, KeysDirError, BundleError, MalformedError, Base45Error, TicketRequestError]);
