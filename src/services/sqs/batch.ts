/** The checks every SQS batch operation makes of its entries before any entry runs. */
import { emptyBatch, idsNotDistinct, invalidBatchEntryId, tooManyEntries } from './errors.js';

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function checkBatchIds(entries: { Id?: string }[], entryShape: string) {
  if (!entries.length) throw emptyBatch(entryShape);
  if (entries.length > 10) throw tooManyEntries(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    const id = e.Id ?? '';
    if (!ENTRY_ID.test(id)) throw invalidBatchEntryId();
    if (seen.has(id)) throw idsNotDistinct(id);
    seen.add(id);
  }
}
