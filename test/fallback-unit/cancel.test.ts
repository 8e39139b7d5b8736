/** Cancellation on the request path: CancelSource (children, dispose, a lazy AbortSignal) and cancelOf. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelSource, NEVER_CANCELLED, cancelOf } from '../../src/cancel.js';

describe('CancelSource', () => {
  test('calls each listener once with the reason; a removed one is not called; a later abort is ignored', () => {
    const source = new CancelSource();
    const heard: unknown[] = [];
    const kept = (reason: unknown) => heard.push(['kept', reason]);
    const removed = (reason: unknown) => heard.push(['removed', reason]);
    source.onAbort(kept);
    source.onAbort(removed);
    source.offAbort(removed);
    const reason = new Error('gone');
    source.abort(reason);
    source.abort(new Error('again'));
    assert.deepEqual(heard, [['kept', reason]]);
    assert.equal(source.aborted, true);
    assert.equal(source.reason, reason);
  });

  test('a child aborts with its parent until disposed, and leaves no listener on the parent', () => {
    const parent = new CancelSource();
    const disposed = new CancelSource(parent);
    disposed.dispose();
    const child = new CancelSource(parent);
    const reason = new Error('client left');
    parent.abort(reason);
    assert.equal(child.aborted, true);
    assert.equal(child.reason, reason);
    assert.equal(disposed.aborted, false);
    assert.equal(new CancelSource(parent).aborted, true, 'a child of an aborted parent starts aborted');
  });

  test('a child aborted alone does not abort its parent', () => {
    const parent = new CancelSource();
    const child = new CancelSource(parent);
    child.abort(new Error('hedge lost'));
    assert.equal(parent.aborted, false);
  });

  test('its AbortSignal is made on first use and follows it, before or after the abort', () => {
    const early = new CancelSource();
    const signal = early.signal;
    assert.equal(early.signal, signal, 'one signal per source');
    assert.equal(signal.aborted, false);
    const reason = new Error('stop');
    early.abort(reason);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, reason);
    const late = new CancelSource();
    late.abort(reason);
    assert.equal(late.signal.aborted, true);
    assert.equal(late.signal.reason, reason);
  });
});

describe('cancelOf and NEVER_CANCELLED', () => {
  test('cancelOf follows a caller AbortSignal; a listener taken off is not called', () => {
    const controller = new AbortController();
    const cancel = cancelOf(controller.signal);
    const heard: unknown[] = [];
    const off = (reason: unknown) => heard.push(['off', reason]);
    cancel.onAbort((reason) => heard.push(['on', reason]));
    cancel.onAbort(off);
    cancel.offAbort(off);
    assert.equal(cancel.aborted, false);
    controller.abort('bye');
    assert.equal(cancel.aborted, true);
    assert.equal(cancel.reason, 'bye');
    assert.deepEqual(heard, [['on', 'bye']]);
    assert.equal(cancel.signal, controller.signal);
  });

  test('NEVER_CANCELLED keeps no listener and is never aborted', () => {
    NEVER_CANCELLED.onAbort(() => assert.fail('never called'));
    assert.equal(NEVER_CANCELLED.aborted, false);
    assert.equal(NEVER_CANCELLED.signal.aborted, false);
  });
});
