// PrismaLibSql whose transactions stay on the client's one connection (stock @libsql/client leaks one per transaction).
import { createClient, type Client, type Config, type InArgs, type InStatement, type ResultSet, type Transaction, type TransactionMode } from '@libsql/client';
import { PrismaLibSql } from '@prisma/adapter-libsql';

// @libsql/client hands a transaction its current connection and opens a fresh one for later queries,
// never closing the old one: with Prisma (a transaction per saveExplanation) that left a file handle and
// about 0.25 MB per write until garbage collection. @prisma/adapter-libsql already holds its lock for a
// transaction's whole life, so no other statement reaches the connection in between.

/** A transaction as BEGIN … COMMIT on the shared connection. */
class SameConnectionTransaction implements Transaction {
  #open = true;

  constructor(private readonly client: Client) {}

  get closed(): boolean {
    return !this.#open;
  }

  #check(): void {
    if (!this.#open) throw new Error('sqlite-adapter: the transaction is closed');
  }

  execute(stmt: InStatement): Promise<ResultSet> {
    this.#check();
    return this.client.execute(stmt);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const results: ResultSet[] = [];
    for (const stmt of stmts) results.push(await this.execute(stmt));
    return results;
  }

  async executeMultiple(): Promise<void> {
    // the client's executeMultiple rolls back any open transaction when it ends; Prisma never asks for it here
    throw new Error('sqlite-adapter: executeMultiple is not supported inside a transaction');
  }

  async commit(): Promise<void> {
    this.#check();
    try {
      await this.client.execute('COMMIT');
      this.#open = false;
    } catch (e) {
      await this.rollback();
      throw e;
    }
  }

  async rollback(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    // SQLite may already have rolled back by itself (some errors do): nothing left to undo then
    await this.client.execute('ROLLBACK').catch(() => undefined);
  }

  close(): void {
    void this.rollback();
  }
}

/** The libSQL client, except that transactions do not take its connection away. */
class OneConnectionClient implements Client {
  constructor(private readonly inner: Client) {}

  get closed(): boolean {
    return this.inner.closed;
  }

  get protocol(): string {
    return this.inner.protocol;
  }

  execute(stmt: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return typeof stmt === 'string' ? this.inner.execute(stmt, args) : this.inner.execute(stmt);
  }

  batch(stmts: Array<InStatement | [string, InArgs?]>, mode?: TransactionMode): Promise<ResultSet[]> {
    return this.inner.batch(stmts, mode);
  }

  migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.inner.migrate(stmts);
  }

  /**
   * Every mode takes the write lock up front (BEGIN IMMEDIATE, waiting up to the busy timeout): a deferred
   * transaction that reads and then writes fails at once with SQLITE_BUSY when another process wrote
   * in between, which no busy timeout retries.
   */
  async transaction(mode: TransactionMode = 'write'): Promise<Transaction> {
    await this.inner.execute(mode === 'read' ? 'BEGIN' : 'BEGIN IMMEDIATE');
    return new SameConnectionTransaction(this.inner);
  }

  executeMultiple(sql: string): Promise<void> {
    return this.inner.executeMultiple(sql);
  }

  sync(): ReturnType<Client['sync']> {
    return this.inner.sync();
  }

  close(): void {
    this.inner.close();
  }

  reconnect(): void {
    this.inner.reconnect();
  }
}

/** Drop-in for PrismaLibSql (same constructor) using OneConnectionClient. */
export class PrismaLibSqlOneConnection extends PrismaLibSql {
  override createClient(config: Config): Client {
    return new OneConnectionClient(createClient(config));
  }
}
