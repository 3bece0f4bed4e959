import type pg from 'pg';

/**
 * Anything that runs a query: the pool, a client checked out of it, a lone client. Its own module
 * because every seeding module takes one: declared in db/customers-generator.ts, which calls
 * db/logistics/reference-data.ts, it made the two import each other.
 */
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;
