import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateEd25519, signingKeyFrom } from '../ticket/ed25519.ts';
import {
  applyDenyDelta,
  denyHashOfHolder,
  denyHashOfTicket,
  DenySet,
  openDenyDelta,
  openDenyList,
  denyDeltaBetween,
  signDenyDelta,
  signDenyList,
  type DenyList,
} from './deny-list.ts';
import { BundleError, signBundle } from './signed-bundle.ts';

const root = signingKeyFrom(generateEd25519().privateKey);
const rootPublic = createPublicKey(root.privateKey);
const set = (...values: bigint[]): DenySet => DenySet.fromUnsorted(values);

describe('deny hashes', () => {
  test('are domain-separated: a ticket id and a holder key with the same bytes give different entries', () => {
    const bytes = new Uint8Array(32).fill(1);
    assert.notEqual(denyHashOfTicket(bytes), denyHashOfHolder(bytes));
    assert.equal(denyHashOfTicket(bytes), denyHashOfTicket(Uint8Array.from(bytes)));
  });
});

describe('DenySet', () => {
  test('sorts and de-duplicates its entries and finds exactly its members', () => {
    const deny = set(30n, 10n, 20n, 10n, 0n, 2n ** 64n - 1n);
    assert.deepEqual([...deny.entries], [0n, 10n, 20n, 30n, 2n ** 64n - 1n]);
    for (const member of [0n, 10n, 20n, 30n, 2n ** 64n - 1n]) assert.equal(deny.has(member), true);
    for (const other of [1n, 9n, 11n, 31n, 2n ** 64n - 2n]) assert.equal(deny.has(other), false);
    assert.equal(set().has(0n), false);
  });

  test('with() adds and removes entries in one new set, leaving the old one as it was', () => {
    const old = set(1n, 2n, 3n);
    const next = old.with(set(4n, 2n), set(1n, 9n));
    assert.deepEqual([...next.entries], [2n, 3n, 4n]);
    assert.deepEqual([...old.entries], [1n, 2n, 3n]);
  });

  test('toBytes writes 8 big-endian bytes per entry and fromBytes reads them back', () => {
    const deny = set(1n, 0x0102030405060708n);
    const bytes = deny.toBytes();
    assert.equal(Buffer.from(bytes).toString('hex'), '0000000000000001' + '0102030405060708');
    assert.deepEqual([...DenySet.fromBytes(bytes, 'ent').entries], [...deny.entries]);
  });

  test('fromBytes refuses unsorted, duplicated or ragged bytes', () => {
    const bytes = set(1n, 2n, 3n).toBytes();
    const swapped = Uint8Array.from([...bytes.subarray(8, 16), ...bytes.subarray(0, 8), ...bytes.subarray(16)]);
    assert.throws(() => DenySet.fromBytes(swapped, 'deny list ent'), /deny list ent entries must be sorted and unique/);
    const duplicated = Uint8Array.from([...bytes.subarray(0, 8), ...bytes.subarray(0, 8)]);
    assert.throws(() => DenySet.fromBytes(duplicated, 'ent'), BundleError);
    assert.throws(() => DenySet.fromBytes(bytes.subarray(0, 12), 'ent'), /multiple of 8/);
  });

  test('holds 1,000,000 random entries: has() is right for members and non-members, bytes round-trip, unsorted bytes refused', () => {
    const count = 1_000_000;
    const random = new BigUint64Array(randomBytes(count * 8).buffer.slice(0, count * 8));
    const deny = DenySet.fromUnsorted(random);
    const truth = new Set(random);
    assert.equal(deny.size, truth.size);
    for (let i = 0; i < count; i += 7) assert.equal(deny.has(random[i]!), true);
    const probes = new BigUint64Array(randomBytes(200_000 * 8).buffer.slice(0, 200_000 * 8));
    let nonMembers = 0;
    for (const probe of probes) {
      const expected = truth.has(probe);
      if (!expected) nonMembers++;
      assert.equal(deny.has(probe), expected);
    }
    assert.ok(nonMembers > 199_000);
    // Neighbours of members are (almost surely) not members.
    for (let i = 0; i < 10_000; i++) {
      const neighbour = deny.entries[i * 97]! + 1n;
      assert.equal(deny.has(neighbour), truth.has(neighbour));
    }
    const bytes = deny.toBytes();
    assert.equal(bytes.length, deny.size * 8);
    const back = DenySet.fromBytes(bytes, 'ent');
    assert.equal(Buffer.compare(back.toBytes(), bytes), 0);
    const unsorted = Uint8Array.from(bytes);
    unsorted.set(bytes.subarray(8 * 500_001, 8 * 500_002), 8 * 500_000); // swap two neighbours
    unsorted.set(bytes.subarray(8 * 500_000, 8 * 500_001), 8 * 500_001);
    assert.throws(() => DenySet.fromBytes(unsorted, 'ent'), /sorted and unique/);
  });
});

describe('deny list bundles', () => {
  const list: DenyList = { version: 4, issuedAt: 1_767_225_600, entries: set(5n, 7n, 11n) };

  test('opens what it signs', () => {
    const opened = openDenyList(signDenyList(list, root), rootPublic);
    assert.equal(opened.version, 4);
    assert.equal(opened.issuedAt, 1_767_225_600);
    assert.deepEqual([...opened.entries.entries], [5n, 7n, 11n]);
  });

  test('refuses a deny list whose entries are not a byte string or not sorted', () => {
    const notBytes = signBundle({ type: 'faregate.deny/1', version: 1, issuedAt: 0 }, new Map([['ent', [1, 2]]]), root);
    assert.throws(() => openDenyList(notBytes, rootPublic), /ent must be a byte string/);
    const reversed = Uint8Array.from([...set(2n).toBytes(), ...set(1n).toBytes()]);
    const unsorted = signBundle({ type: 'faregate.deny/1', version: 1, issuedAt: 0 }, new Map([['ent', reversed]]), root);
    assert.throws(() => openDenyList(unsorted, rootPublic), /sorted and unique/);
  });

  test('a delta opens, and applies to the version it was made from', () => {
    const delta = openDenyDelta(
      signDenyDelta({ version: 5, issuedAt: 1_767_229_200, baseVersion: 4, add: set(13n), remove: set(7n) }, root),
      rootPublic,
    );
    assert.equal(delta.baseVersion, 4);
    const next = applyDenyDelta(list, delta);
    assert.equal(next.version, 5);
    assert.equal(next.issuedAt, 1_767_229_200);
    assert.deepEqual([...next.entries.entries], [5n, 11n, 13n]);
  });

  test('a delta is refused on a list older than its base', () => {
    const delta = { version: 6, issuedAt: 0, baseVersion: 5, add: set(1n), remove: set() };
    assert.throws(() => applyDenyDelta(list, delta), /applies to versions 5 to 5, the held list is 4/);
  });

  test('a cumulative delta brings any list from its base on to its version', () => {
    const v3: DenyList = { version: 3, issuedAt: 0, entries: set(1n, 2n) };
    const v4: DenyList = { version: 4, issuedAt: 0, entries: set(1n, 2n, 5n) };
    const v6: DenyList = { version: 6, issuedAt: 0, entries: set(1n, 2n, 5n, 9n, 11n) };
    const delta = denyDeltaBetween(v3, v6);
    assert.deepEqual([delta.baseVersion, delta.version, [...delta.add.entries], delta.remove.size], [3, 6, [5n, 9n, 11n], 0]);
    for (const held of [v3, v4]) assert.deepEqual(applyDenyDelta(held, delta).entries.entries, v6.entries.entries);
    assert.throws(() => applyDenyDelta(v6, delta), /held list is 6/);
  });

  test('a delta whose base is not below its own version is refused when opened', () => {
    const bytes = signDenyDelta({ version: 5, issuedAt: 0, baseVersion: 5, add: set(), remove: set() }, root);
    assert.throws(() => openDenyDelta(bytes, rootPublic), /base must be a lower version/);
  });

  test('a full list is not accepted as a delta, nor a delta as a full list', () => {
    const full = signDenyList(list, root);
    const delta = signDenyDelta({ version: 5, issuedAt: 0, baseVersion: 4, add: set(), remove: set() }, root);
    assert.throws(() => openDenyDelta(full, rootPublic), /expected a faregate.deny-delta\/1 bundle/);
    assert.throws(() => openDenyList(delta, rootPublic), /expected a faregate.deny\/1 bundle/);
  });
});
