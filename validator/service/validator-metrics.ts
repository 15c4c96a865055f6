/** The validator's Prometheus metrics (prom-client), served on its local /metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createValidatorMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'faregate_validator_' });
  return {
    registry,
    decisions: new Counter({ name: 'faregate_decisions_total', help: 'Ticket decisions by decision and reason', labelNames: ['decision', 'reason'] as const, registers: [registry] }),
    decisionLatency: new Histogram({
      name: 'faregate_decision_latency_seconds',
      help: 'From a code read to the gate commanded (check + journal append)',
      buckets: [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
      registers: [registry],
    }),
    journalBacklog: new Gauge({ name: 'faregate_journal_backlog_records', help: 'Journal records not yet acked by the gateway', registers: [registry] }),
    journalBacklogAlarm: new Gauge({ name: 'faregate_journal_backlog_alarm', help: '1 when the journal backlog is over its limit', registers: [registry] }),
    journalFault: new Gauge({ name: 'faregate_journal_fault', help: '1 while the journal keeps the gate out of service (records uncommitted past the bound, or it cannot open)', registers: [registry] }),
    journalUncommittedAge: new Gauge({ name: 'faregate_journal_uncommitted_age_seconds', help: 'How long the oldest journal record has waited for its fdatasync', registers: [registry] }),
    uplinkConnected: new Gauge({ name: 'faregate_uplink_connected', help: '1 when connected to the broker', registers: [registry] }),
    uplinkBatches: new Gauge({ name: 'faregate_uplink_batches_sent', help: 'Batches published since start', registers: [registry] }),
    uplinkAckAge: new Gauge({ name: 'faregate_uplink_last_ack_age_seconds', help: 'Seconds since the last ack from the gateway (-1: none yet)', registers: [registry] }),
    clockAnchored: new Gauge({ name: 'faregate_clock_trusted', help: '1 when the gate can vouch for its clock', registers: [registry] }),
    gateEvents: new Counter({ name: 'faregate_gate_events_total', help: 'Gate events journalled (tailgating, forced-passage, emergency, service changes)', labelNames: ['event'] as const, registers: [registry] }),
    grantOutcomes: new Counter({ name: 'faregate_grant_outcomes_total', help: 'Grants of accepted taps ended, by outcome (passed, not-used)', labelNames: ['outcome'] as const, registers: [registry] }),
    passbackShared: new Counter({ name: 'faregate_passback_shared_total', help: 'Accepted entries offered to the station peers, by outcome (sent, not_connected, refused, failed)', labelNames: ['outcome'] as const, registers: [registry] }),
    passbackMerged: new Counter({ name: 'faregate_passback_merged_total', help: 'Entries merged into anti-passback memory, by source (peer, journal)', labelNames: ['source'] as const, registers: [registry] }),
    beaconsDropped: new Counter({ name: 'faregate_time_beacons_dropped_total', help: 'Time beacons not taken, by reason (invalid, duplicate, behind, too-far-ahead)', labelNames: ['reason'] as const, registers: [registry] }),
    clockResets: new Counter({ name: 'faregate_clock_resets_total', help: 'Signed clock reset commands applied', registers: [registry] }),
    bundlesRefused: new Counter({ name: 'faregate_bundles_refused_total', help: 'Downlink bundles refused', labelNames: ['kind'] as const, registers: [registry] }),
  };
}

export type ValidatorMetrics = ReturnType<typeof createValidatorMetrics>;
