import { openSqliteHarness } from '../../testing/sqlite-store-harness.js';
import { usageStoreContract } from '../../testing/store-contract.js';

// Totals, history, quota windows, balances, atomic batches and concurrent writers: the same cases
// run against PostgreSQL (src/testing/usage-store-contract.ts).
usageStoreContract('SqliteUsageStore', openSqliteHarness);
