/** The gateway's Prometheus metrics (prom-client), one registry per gateway instance. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createGatewayMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'faregate_gateway_' });
  const metrics = {
    registry,
    batchesIngested: new Counter({ name: 'faregate_ingest_batches_total', help: 'Tap batches committed', registers: [registry] }),
    batchesRejected: new Counter({ name: 'faregate_ingest_batches_rejected_total', help: 'Tap batches refused (invalid or not stored)', registers: [registry] }),
    recordsIngested: new Counter({ name: 'faregate_ingest_records_total', help: 'Journal records newly committed', registers: [registry] }),
    recordsDuplicate: new Counter({ name: 'faregate_ingest_duplicate_records_total', help: 'Re-sent records that were already committed', registers: [registry] }),
    decisions: new Counter({ name: 'faregate_taps_total', help: 'Taps by decision and reason', labelNames: ['decision', 'reason'] as const, registers: [registry] }),
    ackLatency: new Histogram({
      name: 'faregate_ingest_ack_latency_seconds',
      help: 'From a batch arriving to its ack being published',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ingestLag: new Histogram({
      name: 'faregate_ingest_lag_seconds',
      help: 'From a record being made at the gate (gate time) to its commit in the ledger',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    }),
    gapsSeen: new Gauge({ name: 'faregate_device_gaps', help: 'Missing sequence ranges per device at its last ack', labelNames: ['device'] as const, registers: [registry] }),
    passbackSlips: new Counter({ name: 'faregate_passback_slips_total', help: 'Tickets accepted twice where the rules say no (single_use, passback), found at clearing', labelNames: ['rule'] as const, registers: [registry] }),
    declaredLosses: new Gauge({ name: 'faregate_device_declared_losses', help: 'Seq ranges the device declared lost (crash, failed journal, lost state)', labelNames: ['device'] as const, registers: [registry] }),
    seqConflicts: new Counter({ name: 'faregate_ingest_seq_conflicts_total', help: 'Records refused because their (device, seq) is stored with other content (an alarm)', labelNames: ['device'] as const, registers: [registry] }),
    journalFaults: new Gauge({ name: 'faregate_device_journal_fault', help: '1 while the device reports its journal keeps it out of service', labelNames: ['device'] as const, registers: [registry] }),
    clearingRatings: new Counter({ name: 'faregate_clearing_ratings_total', help: 'Account-day rating versions stored (first: a new day; superseded: a re-rating that changed charges)', labelNames: ['kind'] as const, registers: [registry] }),
    clearingFlags: new Counter({ name: 'faregate_clearing_flags_total', help: 'Fraud flags raised at clearing, by kind', labelNames: ['kind'] as const, registers: [registry] }),
    clearingErrors: new Counter({ name: 'faregate_clearing_errors_total', help: 'Clearing steps that failed (logged; the taps stay in the ledger and are rated with the next tap of the account)', registers: [registry] }),
    clearingLateRecords: new Counter({ name: 'faregate_clearing_late_records_total', help: 'Records committed later than fares.lateAfterSeconds after the gate made them', registers: [registry] }),
    devicesOnline: new Gauge({ name: 'faregate_devices_online', help: 'Devices whose last state says online', registers: [registry] }),
  };
  return metrics;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
