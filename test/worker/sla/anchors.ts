// DST transitions of 2026–2027 per zone (and plain instants for zones without DST): the property
// tests draw start instants near them, and zone.test.ts checks that the offsets really change there.
export const TRANSITIONS: Record<string, string[]> = {
  'Europe/Berlin': ['2026-03-29T01:00Z', '2026-10-25T01:00Z', '2027-03-28T01:00Z', '2027-10-31T01:00Z'],
  'America/New_York': ['2026-03-08T07:00Z', '2026-11-01T06:00Z', '2027-03-14T07:00Z', '2027-11-07T06:00Z'],
  'Australia/Lord_Howe': ['2026-04-04T15:00Z', '2026-10-03T15:30Z', '2027-04-03T15:00Z', '2027-10-02T15:30Z'],
  'Pacific/Chatham': ['2026-04-04T14:00Z', '2026-09-26T14:00Z', '2027-04-03T14:00Z', '2027-09-25T14:00Z'],
};

export const ANCHORS: Record<string, string[]> = {
  ...TRANSITIONS,
  'Asia/Kolkata': ['2026-01-01T00:00Z', '2026-12-31T18:30Z', '2027-06-15T12:00Z'],
  UTC: ['2026-12-31T23:00Z', '2027-02-28T12:00Z', '2026-06-01T00:00Z'],
};
