import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv, ConfigError, resolveConfig } from './index.js';

describe('configuration', () => {
  it('defaults to 127.0.0.1:4566 with state in ./.berth', () => {
    const c = resolveConfig();
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 4566);
    assert.equal(c.dataDir, './.berth');
    assert.equal(c.defaultAccount, '000000000000');
  });

  it('reads BERTH_* variables, and later sources win', () => {
    const env = configFromEnv({ BERTH_PORT: '5000', BERTH_EPHEMERAL: 'true', BERTH_ACCESS_KEYS: 'A=111111111111, B=222222222222' });
    const c = resolveConfig(env, { port: 6000 });
    assert.equal(c.port, 6000);
    assert.equal(c.ephemeral, true);
    assert.deepEqual(c.accessKeys, { A: '111111111111', B: '222222222222' });
  });

  it('rejects bad values with one readable error naming each field', () => {
    assert.throws(() => resolveConfig({ port: 70000 as number, logLevel: 'loud' as 'info' }), (e: unknown) =>
      e instanceof ConfigError && /port/.test(e.message) && /logLevel/.test(e.message));
    assert.throws(() => configFromEnv({ BERTH_ACCESS_KEYS: 'nonsense' }), ConfigError);
  });
});
