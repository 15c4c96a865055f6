/** OpenAPI response schemas of the clearing routes (clearing-routes.ts); they also drive serialisation. */

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const seqRanges = { type: 'array', items: { type: 'array', items: int, minItems: 2, maxItems: 2 }, description: '[fromSeq, toSeq] pairs, inclusive' } as const;

export const flagSchema = {
  type: 'object',
  required: ['kind', 'subject', 'at', 'serviceDay', 'detail'],
  properties: {
    kind: { type: 'string', enum: ['single-reused', 'missing-exit', 'too-fast'] },
    subject: { type: 'string', description: 'the account or ticket id' },
    at: { type: 'integer', description: 'Unix ms of the tap that raised it' },
    serviceDay: str,
    detail: str,
  },
} as const;

const legSchema = {
  type: 'object',
  required: ['legIndex', 'network', 'agency', 'fromStop', 'toStop', 'start', 'end', 'status', 'fareProductId', 'category', 'baseMinor', 'chargeMinor', 'currency', 'subJourney', 'explain', 'taps'],
  properties: {
    legIndex: int,
    network: str,
    agency: str,
    fromStop: nullableStr,
    toStop: nullableStr,
    start: { type: 'integer', description: 'Unix ms' },
    end: { type: ['integer', 'null'], description: 'Unix ms' },
    status: { type: 'string', enum: ['complete', 'incomplete', 'cancelled', 'unrated'] },
    fareProductId: nullableStr,
    category: str,
    baseMinor: { type: 'integer', description: 'what the leg adds to its sub-journey before caps, minor units' },
    chargeMinor: { type: 'integer', description: 'what the rider pays for the leg, minor units' },
    currency: str,
    subJourney: { ...nullableInt, description: 'legs with the same number were one sub-journey (transfers)' },
    explain: { type: 'array', items: str, description: 'leg rule, transfer rule and caps, in words for the rider' },
    taps: { type: 'array', items: { type: 'object', required: ['device', 'seq'], properties: { device: str, seq: int } } },
  },
} as const;

const ratingSchema = {
  type: 'object',
  required: ['account', 'serviceDay', 'version', 'ratedAt', 'reason', 'totalMinor', 'currency', 'legs', 'flags'],
  properties: {
    account: str,
    serviceDay: str,
    version: { type: 'integer', description: '1 = first rating; each re-rating adds one, the old versions stay' },
    ratedAt: { type: 'integer', description: 'Unix ms' },
    reason: str,
    totalMinor: int,
    currency: str,
    legs: { type: 'array', items: legSchema },
    flags: { type: 'array', items: flagSchema },
  },
} as const;

export const journeysReply = {
  type: 'object',
  required: ['account', 'from', 'to', 'days'],
  properties: { account: str, from: str, to: str, days: { type: 'array', items: ratingSchema } },
} as const;

const agencySchema = {
  type: 'object',
  required: ['agency', 'agencyName', 'currency', 'accountChargesMinor', 'accountLegs', 'accounts', 'ticketRevenueMinor', 'ticketEntries', 'tickets', 'totalMinor'],
  properties: {
    agency: str,
    agencyName: str,
    currency: str,
    accountChargesMinor: int,
    accountLegs: int,
    accounts: int,
    ticketRevenueMinor: { type: 'integer', description: 'price of singles and passes apportioned to this day by entries' },
    ticketEntries: int,
    tickets: int,
    totalMinor: int,
  },
} as const;

const deviceSchema = {
  type: 'object',
  required: ['device', 'firstSeq', 'lastSeq', 'expected', 'received', 'missing', 'openGaps', 'declaredLosses', 'conflicts', 'lateArrivals', 'lateMaxDelayMs'],
  properties: {
    device: str,
    firstSeq: nullableInt,
    lastSeq: nullableInt,
    expected: { type: 'integer', description: 'seqs from firstSeq to lastSeq' },
    received: int,
    missing: { ...seqRanges, description: 'open gaps inside the day\'s range' },
    openGaps: { ...seqRanges, description: 'every open gap of the device' },
    declaredLosses: { type: 'array', items: { type: 'object', required: ['fromSeq', 'toSeq', 'reason'], properties: { fromSeq: int, toSeq: int, reason: str } } },
    conflicts: int,
    lateArrivals: int,
    lateMaxDelayMs: nullableInt,
  },
} as const;

export const settlementSchema = {
  type: 'object',
  required: ['serviceDay', 'from', 'until', 'generatedAt', 'agencies', 'unpricedTicketEntries', 'provisional', 'reconciliation'],
  properties: {
    serviceDay: str,
    from: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    generatedAt: { type: 'string', format: 'date-time' },
    agencies: { type: 'array', items: agencySchema },
    unpricedTicketEntries: int,
    provisional: { type: 'boolean', description: 'a pass used this day is still valid: its share per entry can still fall' },
    reconciliation: { type: 'object', required: ['devices'], properties: { devices: { type: 'array', items: deviceSchema } } },
  },
} as const;
