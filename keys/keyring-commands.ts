/** The keys CLI's commands on the keyring itself: init, add-issuer, rotate, retire, list. */
import { openDenyList } from '../protocol/bundles/deny-list.ts';
import { openTrustList } from '../protocol/bundles/trust-list.ts';
import { kidOf, parsePublicKeyPem, rawPublicKey, toHex } from '../protocol/ticket/ed25519.ts';
import { parseCommandArgs, parseIsoTime, readTextFile, required, UsageError } from '../runtime/cli/args.ts';
import type { Command } from '../runtime/cli/run-commands.ts';
import { addIssuer, initKeys, retireIssuer, rotateIssuer } from './keyring.ts';
import { KEYS_FILES, readBundle, readKeyring, readRootPublicKey } from './keys-dir.ts';

export const dirOption = { dir: { type: 'string' } } as const;

export function validityDays(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError('--validity-days: must be a whole number of days, at least 1');
  }
  return Number(value);
}

export function publicKeyFile(path: string, name: string) {
  return parsePublicKeyPem(readTextFile(path, name), `--${name} ${path}`);
}

function init(args: string[]): void {
  const { values } = parseCommandArgs(args, { ...dirOption, operator: { type: 'string' }, 'validity-days': { type: 'string' } });
  const dir = required(values, 'dir');
  const options: { operator?: string; validityDays?: number } = {};
  if (values.operator !== undefined) options.operator = values.operator as string;
  const days = validityDays(values['validity-days']);
  if (days !== undefined) options.validityDays = days;
  const state = initKeys(dir, options);
  console.log(`initialised ${dir}: root key, issuer ${state.signingKid}, trust list v${state.trustVersion}, deny list v${state.denyVersion}`);
}

function addIssuerCommand(args: string[]): void {
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
}

function rotate(args: string[]): void {
  const { values } = parseCommandArgs(args, { ...dirOption, 'validity-days': { type: 'string' } });
  const days = validityDays(values['validity-days']);
  const entry = rotateIssuer(required(values, 'dir'), days === undefined ? {} : { validityDays: days });
  console.log(`new signing key ${entry.kid}; earlier keys stay trusted until their windows end`);
}

export function kidOption(args: string[]): { dir: string; kid: string } {
  const { values } = parseCommandArgs(args, { ...dirOption, kid: { type: 'string' } });
  const kid = required(values, 'kid');
  if (!/^[0-9a-fA-F]{16}$/.test(kid)) throw new UsageError('--kid: a kid is 16 hex digits');
  return { dir: required(values, 'dir'), kid };
}

function retire(args: string[]): void {
  const { dir, kid } = kidOption(args);
  const entry = retireIssuer(dir, kid);
  console.log(`issuer ${entry.kid} window now ends ${entry.notAfter}; its private key is destroyed`);
}

function list(args: string[]): void {
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
    signingKeys: state.signingKeys ?? [],
    removedIssuers: state.removedIssuers ?? [],
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
  for (const key of summary.signingKeys) {
    const status = key.revokedAt ? `revoked ${key.revokedAt}` : `${key.types.length} bundle types`;
    console.log(`signing key ${key.kid}  ${key.notBefore} .. ${key.notAfter}  ${status}`);
  }
}

export const KEYRING_COMMANDS: Record<string, Command> = {
  init: {
    usage: `init --dir DIR [--operator ID] [--validity-days N]
        a new keys directory: root key, first issuer key, a signing key for the gateway, signed trust and deny lists`,
    run: init,
  },
  'add-issuer': {
    usage: `add-issuer --dir DIR --public-key FILE.pem [--not-before TIME] [--not-after TIME]
        trusts an issuer key made elsewhere (e.g. openssl genpkey -algorithm ed25519)`,
    run: addIssuerCommand,
  },
  rotate: {
    usage: `rotate --dir DIR [--validity-days N]
        a new signing key; earlier keys stay trusted until their windows end`,
    run: rotate,
  },
  retire: {
    usage: `retire --dir DIR --kid HEX
        ends an issuer key's window now and destroys its private key: what it signed before still checks`,
    run: retire,
  },
  list: {
    usage: `list --dir DIR [--json]
        the operator, root key, issuer keys and bundle versions`,
    run: list,
  },
};
