// The benchmark events' schema, shared by the TypeScript generator and the plain-JavaScript workers.
export const EVENT_SCHEMA = 'event_id STRING NOT NULL, ts TIMESTAMP, user_id BIGINT, kind STRING, amount DOUBLE, country STRING, session STRING, active BOOLEAN';
