import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { BatchedTask } from './batched-task.ts';

/** A run that the test finishes by hand, to look at the task while a run is in flight. */
function controllableRun() {
  const finishers: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const run = sinon.spy(() => new Promise<void>((resolve, reject) => finishers.push({ resolve, reject })));
  return { run, finishers };
}

function settled(promise: Promise<void>): { done: boolean; error?: unknown } {
  const state: { done: boolean; error?: unknown } = { done: false };
  void promise.then(
    () => (state.done = true),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

describe('batched task', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.restore());

  it('serves every request of one interval with a single run after the delay', async () => {
    const run = sinon.spy(async () => {});
    const task = new BatchedTask(run, 5, () => {});
    const states = [task.request(), task.request(), task.request()].map(settled);
    await clock.tickAsync(4);
    assert.equal(run.callCount, 0);
    await clock.tickAsync(1);
    assert.equal(run.callCount, 1);
    assert.ok(states.every((state) => state.done && state.error === undefined));
  });

  it('serves requests made during a run with the next run, not that one', async () => {
    const { run, finishers } = controllableRun();
    const task = new BatchedTask(run, 5, () => {});
    const first = settled(task.request());
    await clock.tickAsync(5);
    const second = settled(task.request());
    await clock.tickAsync(10); // its interval is over while the first run is still busy
    assert.equal(run.callCount, 1);
    finishers[0]?.resolve();
    await clock.tickAsync(0);
    assert.ok(first.done);
    assert.equal(second.done, false);
    assert.equal(run.callCount, 2, 'the overdue run starts as soon as the first ends');
    finishers[1]?.resolve();
    await clock.tickAsync(0);
    assert.ok(second.done);
  });

  it('keeps requests waiting after a failed run and retries with backoff', async () => {
    const { run, finishers } = controllableRun();
    const onError = sinon.spy();
    const task = new BatchedTask(run, 5, onError);
    const request = settled(task.request());
    await clock.tickAsync(5);
    finishers[0]?.reject(new Error('EIO'));
    await clock.tickAsync(0);
    assert.equal(onError.callCount, 1);
    assert.equal(request.done, false, 'a failed run neither resolves nor rejects');
    await clock.tickAsync(49);
    assert.equal(run.callCount, 1, 'no retry before the minimum retry delay');
    await clock.tickAsync(1);
    assert.equal(run.callCount, 2);
    finishers[1]?.resolve();
    await clock.tickAsync(0);
    assert.ok(request.done && request.error === undefined);
  });

  it('flush runs at once, and rejects what it cannot serve', async () => {
    const run = sinon.stub().rejects(new Error('card gone'));
    const task = new BatchedTask(run, 1000, () => {});
    const request = settled(task.request());
    await assert.rejects(task.flush(), /card gone/);
    await clock.tickAsync(0);
    assert.match(String(request.error), /card gone/);
    assert.equal(clock.countTimers(), 0, 'nothing left scheduled after a flush');
  });
});
