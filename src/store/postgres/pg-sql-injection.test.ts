import { usePgHarness } from '../../testing/pg-store-harness.js';
import { hostileTextContract } from '../../testing/store-contract.js';

// The hostile-text cases SQLite passes (src/testing/store-contract.ts), on a real PostgreSQL:
// every value is a bound parameter. PostgreSQL text cannot hold U+0000: key writes refuse it,
// usage text keeps a U+FFFD in its place.
hostileTextContract('PostgreSQL', usePgHarness(), { nul: 'replaced' });
