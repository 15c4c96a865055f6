/** The configs the README and the Pi guide hand to users must stay valid as the schema moves. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readJsonConfig } from '../../runtime/config-file.ts';
import { parseValidatorConfig, type ValidatorConfig } from './validator-config.ts';

const deployFile = (name: string): string => fileURLToPath(new URL(`../../scripts/deploy/${name}`, import.meta.url));
/** Schema and values only: the files they name exist on the gate, not here (`validator run` checks those too). */
const loadValidatorConfig = (path: string): ValidatorConfig => parseValidatorConfig(readJsonConfig(path), path);

describe('shipped validator configs', () => {
  it('the Raspberry Pi example is valid, on real hardware with a password file', () => {
    const config = loadValidatorConfig(deployFile('validator.example.json'));
    assert.notEqual(config.hardware, 'simulated');
    assert.ok(config.mqtt?.passwordFile);
  });

  it("the simulated gate for a local gateway is valid and reads the gateway's keys in its data dir", () => {
    const config = loadValidatorConfig(deployFile('validator.simulated.json'));
    assert.equal(config.hardware, 'simulated');
    assert.equal(config.rootPublicKeyFile, 'data/local-gateway/keys/root.pub.pem');
    assert.equal(config.mqtt?.url, 'mqtt://127.0.0.1:18830');
    assert.equal(config.mqtt?.passwordFile, 'data/local-01.password');
  });
});
