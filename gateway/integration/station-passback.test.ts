/**
 * Acceptance test of issue 8 point 4 with real processes: the real gateway (embedded
 * broker with the topic ACL) and two real validators registered at one station. A
 * single ticket accepted at one gate is refused `passback` at the other (shared over
 * the station topic), and at the first gate again after it was killed with SIGKILL and
 * restarted (read back from its journal).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidatorProcess } from '../../runtime/testing/validator-process.ts';
import { waitUntil } from './gateway-harness.ts';
import { GatewayWithGates, type Cleanups } from './gateway-with-gates.ts';

const cleanups: Cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const STATION = 'PB-STATION';
const MERGED_FROM_PEER = 'faregate_passback_merged_total{source="peer"}';


describe('single tickets and passback across the gates of a station and a restart', { timeout: 300_000 }, () => {
  it('refuses the second use at the next gate of the station, after a kill -9 of either gate, and flags what got through with the uplink down', async (t) => {
    const fleet = await GatewayWithGates.start('station-passback', cleanups);
    const { keys } = fleet;
    const files = [await fleet.register('pb-gate-1', STATION), await fleet.register('pb-gate-2', STATION)];
    const startValidator = (file: string): Promise<ValidatorProcess> => fleet.startValidator(file);
    const first = await startValidator(files[0]!);
    let second = await startValidator(files[1]!);

    // One gate accepts; the other learns of it over the station topic and refuses the ticket.
    const single = keys.singleTicket();
    const accepted = await first.decide(single.text);
    assert.equal(accepted.decision, 'accept');
    const acceptedAt = Date.now();
    await waitUntil('the second gate merged the first gate\'s accept', async () => (await second.metric(MERGED_FROM_PEER)) >= 1, { intervalMs: 10 });
    const mergedWithinMs = Date.now() - acceptedAt;
    const atSecondGate = await second.decide(single.text);
    assert.deepEqual([atSecondGate.decision, atSecondGate.reason], ['reject', 'passback']);
    // A day ticket: the same at the same station within the passback time.
    const day = keys.ticket();
    assert.equal((await second.decide(day.text)).decision, 'accept');
    await waitUntil('the first gate merged the day ticket', async () => (await first.metric(MERGED_FROM_PEER)) >= 1, { intervalMs: 10 });
    assert.equal((await first.decide(day.text)).reason, 'passback');

    // kill -9 of the first gate once its accept is durable; it comes back knowing the ticket.
    await waitUntil('the first gate committed its accept', async () => (await first.health()).journal.committedSeq >= Number(accepted.seq));
    first.kill('SIGKILL');
    await first.exited;
    const restarted = await startValidator(files[0]!);
    const afterRestart = await restarted.decide(single.text);
    assert.deepEqual([afterRestart.decision, afterRestart.reason], ['reject', 'passback']);
    assert.equal(restarted.linesWith('anti-passback memory rebuilt from the journal')[0]?.merged, 1);
    // And another single ticket still gets in: nothing else is blocked.
    assert.equal((await restarted.decide(keys.singleTicket().text)).decision, 'accept');

    // The second gate is down while the first accepts; back, it asks its peer and refuses the ticket.
    second.kill('SIGKILL');
    await second.exited;
    const whileDown = keys.singleTicket();
    assert.equal((await restarted.decide(whileDown.text)).decision, 'accept');
    second = await startValidator(files[1]!);
    await waitUntil('the restarted second gate caught up with its peer', async () => (await second.metric(MERGED_FROM_PEER)) >= 1, { intervalMs: 10 });
    assert.equal((await second.decide(whileDown.text)).reason, 'passback');

    // With the uplink down each gate decides alone: both let the same single ticket in, and
    // clearing flags it once the journals reach the gateway again.
    await fleet.gateway.stop();
    await waitUntil('both gates lost the uplink', async () => (await Promise.all([restarted, second].map((v) => v.health()))).every((h) => !h.uplink.connected));
    const offline = keys.singleTicket();
    assert.equal((await restarted.decide(offline.text)).decision, 'accept');
    assert.equal((await second.decide(offline.text)).decision, 'accept');
    await fleet.restartGateway();
    await waitUntil('clearing flagged the single ticket used twice', () => fleet.gateway.logged('a ticket got through twice where the rules say no').length > 0, {
      timeoutMs: 60_000,
      detail: () => fleet.gateway.describe(),
    });
    const [slip] = fleet.gateway.logged('a ticket got through twice where the rules say no');
    assert.equal(slip!.rule, 'single_use');
    assert.notEqual(slip!.ticketId, offline.ticketId, 'the log names the ticket by a hash prefix only');
    t.diagnostic(`peer accept merged at the other gate within ${mergedWithinMs} ms (upper bound, polled every 10 ms)`);
  });
});
