import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '../../protocol/mqtt/topics.ts';
import { mayPublish, maySubscribe, mosquittoAcl } from './topic-acl.ts';

const gate = { kind: 'device', device: 'gate-1', station: 'central' } as const;

describe('topic ACL', () => {
  it('lets a gate publish and subscribe to its own station topic and no other', () => {
    assert.equal(mayPublish(gate, topics.stationPassback('central')), true);
    assert.equal(maySubscribe(gate, topics.stationPassback('central')), true);
    assert.equal(mayPublish(gate, topics.stationPassback('harbour')), false);
    assert.equal(maySubscribe(gate, topics.stationPassback('harbour')), false);
    assert.equal(maySubscribe(gate, 'faregate/v1/stations/+/passback'), false);
  });

  it('gives a gate without a known station no station topic', () => {
    const unknown = { kind: 'device', device: 'gate-2' } as const;
    assert.equal(mayPublish(unknown, topics.stationPassback('central')), false);
    assert.equal(maySubscribe(unknown, topics.stationPassback('central')), false);
  });

  it('writes the station topic into the Mosquitto ACL of each gate of that station only', () => {
    const acl = mosquittoAcl([{ device: 'gate-1', station: 'central' }, { device: 'gate-9', station: 'harbour' }, { device: 'gate-x' }], 'svc');
    const section = (user: string): string => acl.split('\n\n').find((block) => block.startsWith(`user ${user}\n`) || block.includes(`\nuser ${user}\n`)) ?? '';
    assert.match(section('gate-1'), /topic readwrite faregate\/v1\/stations\/central\/passback/);
    assert.doesNotMatch(section('gate-1'), /harbour/);
    assert.match(section('gate-9'), /topic readwrite faregate\/v1\/stations\/harbour\/passback/);
    assert.doesNotMatch(section('gate-x'), /stations/);
  });
});
