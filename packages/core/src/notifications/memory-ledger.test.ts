import { describe, expect, it } from 'vitest';
import { describeLedgerContract } from './ledger-contract.js';
import { MemoryLedger } from './memory-ledger.js';

describeLedgerContract('MemoryLedger', () => new MemoryLedger());

describe('MemoryLedger tx.query', () => {
  it('throws a clear error: the memory ledger runs no SQL', async () => {
    const ledger = new MemoryLedger();
    await expect(ledger.transaction((u) => u.tx.query('SELECT 1'))).rejects.toThrow(
      /MemoryLedger runs no SQL/,
    );
  });

  it('runs a user-supplied query function with the text and parameters', async () => {
    const seen: unknown[] = [];
    const ledger = new MemoryLedger({
      query: async (text, params) => {
        seen.push([text, params]);
        return { rows: [{ one: 1 }], rowCount: 1 };
      },
    });
    const result = await ledger.transaction((u) => u.tx.query('SELECT $1 AS one', [1]));
    expect(result).toEqual({ rows: [{ one: 1 }], rowCount: 1 });
    expect(seen).toEqual([['SELECT $1 AS one', [1]]]);
  });

  it('refuses a unit used after its transaction ended', async () => {
    const ledger = new MemoryLedger();
    let leaked: Parameters<Parameters<MemoryLedger['transaction']>[0]>[0] | undefined;
    await ledger.transaction(async (u) => {
      leaked = u;
    });
    await expect(
      leaked!.recordInbox({
        key: 'k',
        order: { kind: 'deposit', platform_id: 'PF0002', cl_id: 'A' },
        gateway_id: 'P',
        status: 2,
        source: 'notification',
        received_at: 0,
      }),
    ).rejects.toThrow(/has ended/);
  });
});
