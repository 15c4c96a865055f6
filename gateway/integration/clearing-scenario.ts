/**
 * The end-to-end clearing scenario (tests only), run on SQLite (clearing-e2e.test.ts) and
 * on PostgreSQL (clearing-e2e.engine-test.ts): the real gateway process with the demo fare
 * feed and three real validator processes — a metro entry gate at Central, a metro exit
 * gate at Market that is offline, and a bus gate at High Street. An account ticket enters
 * at Central, leaves at Market (journalled by the offline gate only) and boards a bus.
 * Clearing first charges the metro leg as incomplete (the maximum fare, £8.50) and flags
 * the missing exit; when the exit gate comes back with its late batch the account-day is
 * re-rated to Central → Market (£3.40), the first charge kept as a superseded version.
 * Amounts are the demo feed's (gateway/fares/examples/demo-feed).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonFile } from '../../runtime/testing/config-problems.ts';
import { makeTempDir } from '../../runtime/testing/temp-dir.ts';
import { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { serviceDayOf } from '../clearing/clearing-places.ts';
import { loadFeed } from '../fares/fares-api.ts';
import type { AccountDayRating } from '../ledger/clearing-store.ts';
import { freePort, waitUntil, writeValidatorConfig } from './gateway-harness.ts';
import { GatewayWithGates, type Cleanups } from './gateway-with-gates.ts';

export const DEMO_FEED = fileURLToPath(new URL('../fares/examples/demo-feed/', import.meta.url));

const shiftDay = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** `config`: more of the gateway's config file (e.g. a PostgreSQL ledger). */
export async function runClearingScenario(name: string, cleanups: Cleanups, config: Record<string, unknown> = {}): Promise<void> {
  const { dir, remove } = await makeTempDir(`${name}-config`);
  cleanups.push(remove);
  // The exit gate is offline for seconds here, not hours: a second counts as late.
  const configFile = writeJsonFile(dir, 'gateway.json', { fares: { feedDir: DEMO_FEED, lateAfterSeconds: 1 }, ...config });
  const fleet = await GatewayWithGates.start(name, cleanups, ['--config', configFile]);
  const suffix = Math.random().toString(36).slice(2, 8);
  const [entryId, exitId, busId] = [`cen-in-${suffix}`, `mkt-out-${suffix}`, `bus-${suffix}`];
  const entry = await fleet.startValidator(await fleet.register(entryId, 'central'));
  const bus = await fleet.startValidator(await fleet.register(busId, 'high_street', { mode: 'bus' }));
  // The exit gate is registered but cut off: its broker address is a port nobody listens on.
  const exitMqtt = await fleet.api.registerDevice(exitId, 'market', { direction: 'exit' });
  const exitFile = join(fleet.dir, `${exitId}.json`);
  const exitSetup = { file: exitFile, device: exitId, station: 'market', stateDir: fleet.stateDir(exitId), keys: fleet.keys, direction: 'exit' as const };
  await writeValidatorConfig({ ...exitSetup, mqtt: { ...exitMqtt, url: `mqtt://127.0.0.1:${await freePort()}` } });
  const offlineExit = new ValidatorProcess(exitFile);
  cleanups.push(() => offlineExit.stop());
  await offlineExit.ready();

  const ticket = fleet.keys.accountTicket();
  const account = ticket.ticketId.toLowerCase();
  assert.equal((await entry.decide(ticket.text)).decision, 'accept');
  assert.equal((await offlineExit.decide(ticket.text)).decision, 'accept');
  assert.equal((await bus.decide(ticket.text)).decision, 'accept');

  const today = serviceDayOf(loadFeed(DEMO_FEED), Date.now());
  const journeys = async (history: boolean): Promise<AccountDayRating[]> => {
    const query = `from=${shiftDay(today, -1)}&to=${shiftDay(today, 1)}${history ? '&history=true' : ''}`;
    const { status, body } = await fleet.api.request<{ days: AccountDayRating[] }>('GET', `/api/accounts/${account}/journeys?${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body.days;
  };
  const legsOf = (days: AccountDayRating[]) => days.flatMap((d) => d.legs.map((l) => [l.network, l.fromStop, l.toStop, l.status, l.chargeMinor]));
  const detail = () => fleet.gateway.describe();

  await waitUntil('the entry and the bus are charged, the metro leg as incomplete', async () => legsOf(await journeys(false)).length === 2, { timeoutMs: 30_000, detail });
  const first = await journeys(false);
  assert.deepEqual(legsOf(first), [['metro', 'central', null, 'incomplete', 850], ['bus', 'high_street', null, 'complete', 175]]);
  // Seconds between taps at different stations: faster than the network allows, too.
  const kinds = (days: AccountDayRating[]) => days.flatMap((d) => d.flags.map((f) => f.kind)).sort();
  assert.deepEqual(kinds(first), ['missing-exit', 'too-fast']);

  // The exit gate comes back: its journal goes up as a late batch and re-rates the day.
  await offlineExit.stop();
  await writeValidatorConfig({ ...exitSetup, mqtt: exitMqtt });
  await fleet.startValidator(exitFile);
  await waitUntil('the late exit re-rated the metro leg', async () => legsOf(await journeys(false)).some((leg) => leg[2] === 'market'), { timeoutMs: 30_000, detail });
  const rerated = await journeys(false);
  assert.deepEqual(legsOf(rerated), [['metro', 'central', 'market', 'complete', 340], ['bus', 'high_street', null, 'complete', 175]]);
  assert.deepEqual(kinds(rerated), ['too-fast'], 'the exit explains the missing-exit flag away');
  assert.equal(rerated[0]!.reason, `late taps from ${exitId}`);
  // Each new tap of the day made a version (the entry and the bus may have come in one batch).
  const history = await journeys(true);
  assert.deepEqual(history.slice(-2).map((d) => [d.version, d.totalMinor]), [[rerated[0]!.version - 1, 1025], [rerated[0]!.version, 515]], 'the superseded charges are kept as they were');
  assert.deepEqual(legsOf(history.slice(-2, -1)), legsOf(first));

  const settlement = await fleet.api.request<{ agencies: Array<{ agency: string; accountChargesMinor: number }> }>('GET', `/api/settlement?day=${rerated[0]!.serviceDay}`);
  assert.deepEqual(settlement.body.agencies.map((a) => [a.agency, a.accountChargesMinor]), [['demo_bus', 175], ['demo_metro', 340]]);
  const metrics = await (await fetch(`${fleet.addresses.httpUrl}/metrics`)).text();
  assert.match(metrics, /faregate_clearing_flags_total\{kind="missing-exit"\} 1/);
}
