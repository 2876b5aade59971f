import { openSqliteHarness } from '../../testing/sqlite-store-harness.js';
import { hostileTextContract } from '../../testing/store-contract.js';

// Every value reaches SQLite as a bound parameter: text that would break a concatenated statement
// is stored and found back literally, and the schema is untouched (src/testing/store-contract.ts;
// the same cases run against PostgreSQL).
hostileTextContract('SQLite', openSqliteHarness, { nul: 'kept' });
