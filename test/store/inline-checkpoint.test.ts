/**
 * The inline writer checkpoints the WAL itself, with the syncs off the serving thread: writes pause,
 * the WAL is synced, its pages are copied into the database file, the file is synced, writes resume.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { CHECKPOINT_EVERY, INLINE_WRITE_SLICE as SLICE, openSqliteInlineRequestLog } from '../../src/store/sqlite-inline-request-log.js';
import { rowsOfEvent } from '../../src/store/rows-of-event.js';
import type { LoggedRequest } from '../../src/store/request-log.js';
import { attempt, eventOf, tempDir } from './log-fixtures.js';

const COMMIT_EVERY = 200;

function requests(from: number, count: number): LoggedRequest[] {
  return Array.from({ length: count }, (_, i) =>
    rowsOfEvent(eventOf({ requestId: `r${String(from + i).padStart(7, '0')}`, startedAt: 1_700_000_000_000 + from + i, served: { attempts: [attempt({ deployment: 'primary', outcome: 'served' })] } })),
  );
}

/** A sync that records what it synced, and holds until released when told to. */
function recordingSync() {
  const synced: string[] = [];
  let holding: (() => void)[] | undefined;
  return {
    synced,
    hold: () => {
      holding = [];
    },
    release: () => {
      const waiting = holding ?? [];
      holding = undefined;
      for (const resume of waiting) resume();
    },
    syncFile: (path: string): Promise<void> => {
      synced.push(path);
      if (!holding) return Promise.resolve();
      const held = holding;
      return new Promise<void>((resolve) => held.push(resolve));
    },
  };
}

/** An inline log committing every slice, whose syncs can be held: the log, its file and the sync. */
function heldLog(t: Parameters<typeof tempDir>[0]) {
  const path = join(tempDir(t), 'requests.db');
  const sync = recordingSync();
  const log = openSqliteInlineRequestLog(path, { commitEvery: SLICE, syncFile: sync.syncFile });
  t.after(() => log.close());
  return { path, sync, log };
}

/**
 * A held log staged up to the batch that starts a checkpoint, with the syncs held: that batch is
 * staged by the caller (`stageNext`), which numbers the requests on from what went before.
 */
function beforeHeldCheckpoint(t: Parameters<typeof tempDir>[0]) {
  const held = heldLog(t);
  const counter = { accepted: 0 };
  const stageNext = (count: number) => {
    const pending = held.log.stage?.(requests(counter.accepted, count));
    counter.accepted += count;
    return pending;
  };
  while (counter.accepted < CHECKPOINT_EVERY - SLICE) stageNext(SLICE);
  held.sync.hold();
  return { ...held, counter, stageNext };
}

describe('request log: the inline writer checkpoints off the serving thread', () => {
  test('every CHECKPOINT_EVERY requests: the WAL synced, then copied into the file, then the file synced; the WAL stays bounded', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const sync = recordingSync();
    const log = openSqliteInlineRequestLog(path, { commitEvery: COMMIT_EVERY, syncFile: sync.syncFile });
    const rounds = 6;
    let walMax = 0;
    for (let at = 0; at < CHECKPOINT_EVERY * rounds; at += COMMIT_EVERY) {
      await log.stage?.(requests(at, COMMIT_EVERY));
      walMax = Math.max(walMax, statSync(`${path}-wal`).size);
    }
    await log.write([]);
    assert.deepEqual(sync.synced.slice(0, 2), [`${path}-wal`, path], 'the WAL before the copy, the file after it');
    assert.equal(sync.synced.length, rounds * 2, 'a checkpoint per CHECKPOINT_EVERY requests');
    // Without a checkpoint the WAL would hold every page written: the database file would be nearly empty.
    const fileBytes = statSync(path).size;
    assert.ok(fileBytes > walMax, `the database file (${fileBytes} bytes) holds the rows; the WAL peaked at ${walMax} bytes`);
    await log.close();
    const reader = new Database(path, { readonly: true });
    t.after(() => reader.close());
    assert.equal(reader.prepare('SELECT count(*) FROM requests').pluck().get(), CHECKPOINT_EVERY * rounds);
  });

  test('while a checkpoint syncs, nothing is written: a batch waits, then goes in, and nothing is lost', async (t) => {
    // Batches of a slice or less are staged at once, without a promise.
    const { path, sync, log } = heldLog(t);
    for (let at = 0; at < CHECKPOINT_EVERY - SLICE; at += SLICE) assert.equal(log.stage?.(requests(at, SLICE)), undefined);
    assert.equal(sync.synced.length, 0);
    sync.hold();
    // This batch's commit reaches CHECKPOINT_EVERY: the checkpoint starts, and holds in its first sync.
    assert.equal(log.stage?.(requests(CHECKPOINT_EVERY - SLICE, SLICE)), undefined, 'staged at once');
    assert.deepEqual(sync.synced, [`${path}-wal`]);
    const waiting = log.stage?.(requests(CHECKPOINT_EVERY, 3));
    assert.ok(waiting instanceof Promise, 'a batch during a checkpoint waits');
    // Its rows are not staged yet: the log's own connection (which sees staged rows) does not have them.
    assert.equal(await log.get(`r${String(CHECKPOINT_EVERY).padStart(7, '0')}`), undefined);
    // Past retention: the first 1,000 requests (started at 1_700_000_000_000 + their number).
    const pruning = log.prune({ maxAgeMs: 1_000, maxRows: 1_000_000 }, 1_700_000_000_000 + 2_000);
    let pruned: number | undefined;
    void pruning.then((removed) => {
      pruned = removed;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(pruned, undefined, 'a prune waits for the checkpoint too');
    assert.ok(await log.get('r0000000'), 'not even its first slice has run');
    sync.release();
    await waiting;
    assert.equal(sync.synced.length, 2, 'the file synced after the copy');
    assert.equal(await pruning, 1_000, 'the prune ran after it');
    await log.write([]);
    assert.ok(await log.get(`r${String(CHECKPOINT_EVERY + 2).padStart(7, '0')}`), 'the waiting batch went in');
  });

  test('what waited for a checkpoint goes in after it a slice per turn beside each turn\'s own: the wait shrinks every turn, in order', async (t) => {
    const { path, sync, log, counter, stageNext } = beforeHeldCheckpoint(t);
    stageNext(SLICE);
    assert.deepEqual(sync.synced, [`${path}-wal`], 'the checkpoint holds in its first sync');
    // Five turns' worth finish while it holds: they wait.
    for (let turn = 0; turn < 5; turn++) assert.ok(stageNext(30) instanceof Promise);
    const staged = async () => (await log.query({ limit: 1_000_000 })).length;
    assert.equal(await staged(), CHECKPOINT_EVERY);
    sync.release();
    // Each turn from now on, 7 more finish; what waits must shrink by about a slice every turn.
    const backlog: number[] = [counter.accepted - CHECKPOINT_EVERY];
    for (let turn = 0; turn < 20 && backlog.at(-1) !== 0; turn++) {
      stageNext(7);
      await new Promise((resolve) => setImmediate(resolve));
      backlog.push(counter.accepted - (await staged()));
    }
    assert.equal(backlog.at(-1), 0, `the wait went: ${backlog.join(' → ')}`);
    // 150 waiting plus 7 a turn, at a slice a turn beyond the turn's own: gone in about 150 / SLICE turns.
    assert.ok(backlog.length <= Math.ceil(150 / SLICE) + 4, `gone within ${Math.ceil(150 / SLICE) + 3} turns: ${backlog.join(' → ')}`);
    for (let i = 2; i < backlog.length; i++) assert.ok((backlog[i] as number) < (backlog[i - 1] as number), `shrinks every turn: ${backlog.join(' → ')}`);
    await log.write([]);
    const reader = new Database(path, { readonly: true });
    t.after(() => reader.close());
    const ids = reader.prepare('SELECT request_id FROM requests ORDER BY rowid').pluck().all() as string[];
    assert.equal(ids.length, counter.accepted);
    assert.deepEqual(ids, [...ids].sort(), 'in the order they finished');
  });

  test('an empty hand-over while a checkpoint runs holds nothing back: what comes after it goes in, and staging is immediate again', async (t) => {
    // The sink hands over an empty turn when a flush took the turn's requests first. Before the fix,
    // one that came during a checkpoint left the log waiting on a drain that had already ended:
    // every later request stayed in memory and none was written (bench:soak, session 26).
    const { path, sync, log, counter, stageNext } = beforeHeldCheckpoint(t);
    assert.deepEqual(sync.synced, [], 'no checkpoint yet');
    stageNext(SLICE);
    assert.deepEqual(sync.synced, [`${path}-wal`], 'the checkpoint holds in its first sync');
    assert.equal(log.stage?.([]), undefined, 'an empty hand-over starts nothing');
    const waiting = stageNext(3);
    assert.ok(waiting instanceof Promise, 'a batch during the checkpoint waits');
    sync.release();
    await waiting;
    assert.equal(stageNext(2), undefined, 'after the wait, a batch is staged at once again');
    await log.write([]);
    const reader = new Database(path, { readonly: true });
    t.after(() => reader.close());
    assert.equal(reader.prepare('SELECT count(*) FROM requests').pluck().get(), counter.accepted, 'every request went in');
  });

  test('a checkpoint whose sync fails is reported, and SQLite checkpoints from then on; nothing is lost', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const errors: Error[] = [];
    let calls = 0;
    const log = openSqliteInlineRequestLog(path, {
      commitEvery: COMMIT_EVERY,
      onError: (err) => errors.push(err),
      syncFile: async () => {
        calls++;
        throw new Error('EIO: i/o error, fsync');
      },
    });
    for (let at = 0; at < CHECKPOINT_EVERY * 3; at += COMMIT_EVERY) await log.stage?.(requests(at, COMMIT_EVERY));
    await log.close();
    assert.equal(calls, 1, 'no second try of a failing sync');
    assert.deepEqual(
      errors.map((err) => err.message),
      ['EIO: i/o error, fsync'],
    );
    const reader = new Database(path, { readonly: true });
    t.after(() => reader.close());
    assert.equal(reader.prepare('SELECT count(*) FROM requests').pluck().get(), CHECKPOINT_EVERY * 3);
  });

  test('with the real sync: the rows are in the file after a close', async (t) => {
    const path = join(tempDir(t), 'requests.db');
    const log = openSqliteInlineRequestLog(path, { commitEvery: COMMIT_EVERY });
    for (let at = 0; at < CHECKPOINT_EVERY * 2 + 50; at += 50) await log.stage?.(requests(at, 50));
    await log.write([]);
    await log.close();
    const reader = new Database(path, { readonly: true });
    t.after(() => reader.close());
    assert.equal(reader.prepare('SELECT count(*) FROM requests').pluck().get(), CHECKPOINT_EVERY * 2 + 50);
  });
});
