/**
 * The end-to-end clearing scenario (tests only), run on SQLite (clearing-e2e.test.ts) and
 * on PostgreSQL (clearing-e2e.engine-test.ts): the real gateway process with the demo fare
 * feed and three real validator processes — a metro entry gate at Central, a metro exit
 * gate at Market and a bus gate at High Street. An account ticket enters at Central and is
 * charged as the tap arrives: the metro leg as incomplete (the maximum fare, £8.50). Then the
 * gateway goes down; the ticket leaves at Market and boards a bus, journalled by the gates
 * only. When the gateway is back, their late batches re-rate the day: Central → Market
 * (£3.40) and the bus (£1.75), the first charge kept as a superseded version.
 * Amounts are the demo feed's (gateway/fares/examples/demo-feed).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { writeJsonFile } from '../../runtime/testing/config-problems.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { serviceDayOf } from '../clearing/clearing-places.ts';
import { loadFeed } from '../fares/fares-api.ts';
import type { AccountDayRating } from '../ledger/clearing-store.ts';
import { waitUntil } from './gateway-harness.ts';
import { GatewayWithGates, type Cleanups } from './gateway-with-gates.ts';

export const DEMO_FEED = fileURLToPath(new URL('../fares/examples/demo-feed/', import.meta.url));

const shiftDay = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** `config`: more of the gateway's config file (e.g. a PostgreSQL ledger). */
export async function runClearingScenario(name: string, cleanups: Cleanups, config: Record<string, unknown> = {}): Promise<void> {
  const { dir, remove } = await makeTempDir(`${name}-config`);
  cleanups.push(remove);
  // The gates are cut off for seconds here, not hours: a second counts as late.
  const configFile = writeJsonFile(dir, 'gateway.json', { fares: { feedDir: DEMO_FEED, lateAfterSeconds: 1 }, ...config });
  const fleet = await GatewayWithGates.start(name, cleanups, ['--config', configFile]);
  const suffix = Math.random().toString(36).slice(2, 8);
  const [entryId, exitId, busId] = [`cen-in-${suffix}`, `mkt-out-${suffix}`, `bus-${suffix}`];
  const entry = await fleet.startValidator(await fleet.register(entryId, 'central'));
  const exit = await fleet.startValidator(await fleet.register(exitId, 'market', { direction: 'exit' }));
  const bus = await fleet.startValidator(await fleet.register(busId, 'high_street', { mode: 'bus' }));

  const ticket = fleet.keys.accountTicket();
  const account = ticket.ticketId.toLowerCase();
  const today = serviceDayOf(loadFeed(DEMO_FEED), Date.now());
  const journeys = async (history: boolean): Promise<AccountDayRating[]> => {
    const query = `from=${shiftDay(today, -1)}&to=${shiftDay(today, 1)}${history ? '&history=true' : ''}`;
    const { status, body } = await fleet.api.request<{ days: AccountDayRating[] }>('GET', `/api/accounts/${account}/journeys?${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body.days;
  };
  const legsOf = (days: AccountDayRating[]) => days.flatMap((d) => d.legs.map((l) => [l.network, l.fromStop, l.toStop, l.status, l.chargeMinor]));
  const kinds = (days: AccountDayRating[]) => days.flatMap((d) => d.flags.map((f) => f.kind)).sort();
  const detail = () => fleet.gateway.describe();

  // The entry is charged as it arrives: without its exit yet, at the maximum fare.
  assert.equal((await entry.decide(ticket.text)).decision, 'accept');
  await waitUntil('the entry is charged', async () => legsOf(await journeys(false)).length === 1, { timeoutMs: 30_000, detail });
  const first = await journeys(false);
  assert.deepEqual(legsOf(first), [['metro', 'central', null, 'incomplete', 850]]);

  // The gates lose the gateway; the exit and a bus are journalled at the gates only.
  await fleet.gateway.stop();
  await waitUntil('the gates lost the uplink', async () => (await Promise.all([exit, bus].map((v) => v.health()))).every((h) => !h.uplink.connected), { timeoutMs: 30_000 });
  assert.equal((await exit.decide(ticket.text)).decision, 'accept');
  assert.equal((await bus.decide(ticket.text)).decision, 'accept');

  // Back again: the late batches re-rate the metro leg; the first charge stays as a superseded version.
  await fleet.restartGateway();
  // The two gates' batches may arrive in either order: wait for the exit's.
  await waitUntil('the late exit re-rated the metro leg', async () => legsOf(await journeys(false)).some((leg) => leg[2] === 'market'), { timeoutMs: 60_000, detail });
  await waitUntil('the late bus is charged', async () => legsOf(await journeys(false)).length === 2, { timeoutMs: 60_000, detail });
  const rerated = await journeys(false);
  assert.deepEqual(legsOf(rerated), [['metro', 'central', 'market', 'complete', 340], ['bus', 'high_street', null, 'complete', 175]]);
  // Seconds between the exit at Market and the bus at High Street: faster than the network allows.
  assert.deepEqual(kinds(rerated), ['too-fast']);
  const history = await journeys(true);
  assert.deepEqual([history[0]!.version, history[0]!.totalMinor, legsOf(history.slice(0, 1))], [1, 850, legsOf(first)], 'the superseded charge is kept as it was');
  assert.equal(history.at(-1)!.totalMinor, 515);
  const exitLate = new RegExp(`^late taps from .*${exitId}`);
  assert.ok(history.some((d) => exitLate.test(d.reason)), history.map((d) => d.reason).join('; '));

  const settlement = await fleet.api.request<{ agencies: Array<{ agency: string; accountChargesMinor: number }> }>('GET', `/api/settlement?day=${rerated[0]!.serviceDay}`);
  assert.deepEqual(settlement.body.agencies.map((a) => [a.agency, a.accountChargesMinor]), [['demo_bus', 175], ['demo_metro', 340]]);
  const metrics = await (await fetch(`${fleet.addresses.httpUrl}/metrics`)).text();
  assert.match(metrics, /faregate_clearing_flags_total\{kind="too-fast"\} 1/);
}
