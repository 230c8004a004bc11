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
    assert.throws(() => resolveConfig({ prot: 1 } as Partial<ReturnType<typeof resolveConfig>>), /prot: unknown setting/);
    assert.throws(() => resolveConfig(configFromEnv({ BERTH_ACCESS_KEYS: 'A=123' })), /accessKeys: A: account must be 12 digits/);
  });

  it('takes a port from the environment as text and keeps defaults apart between calls', () => {
    assert.equal(resolveConfig(configFromEnv({ BERTH_PORT: '0' })).port, 0);
    assert.throws(() => resolveConfig(configFromEnv({ BERTH_PORT: '45x' })), /port: must be an integer/);
    assert.equal(resolveConfig(configFromEnv({ BERTH_LB_WORKERS: '0' })).lbWorkers, 0);
    assert.throws(() => resolveConfig(configFromEnv({ BERTH_LB_WORKERS: '-1' })), /lbWorkers: must be an integer from 0 to 64/);
    assert.equal(resolveConfig().metricsPeriod, 60);
    assert.equal(resolveConfig(configFromEnv({ BERTH_METRICS_PERIOD: '5s' })).metricsPeriod, 5);
    assert.equal(resolveConfig({ metricsPeriod: '1m' as unknown as number }).metricsPeriod, 60);
    assert.equal(resolveConfig(configFromEnv({ BERTH_METRICS_PERIOD: '500ms' })).metricsPeriod, 0.5);
    assert.throws(() => resolveConfig(configFromEnv({ BERTH_METRICS_PERIOD: 'soon' })), /metricsPeriod: expected seconds/);
    assert.throws(() => resolveConfig(configFromEnv({ BERTH_METRICS_PERIOD: '2h' })), /metricsPeriod: expected seconds/);
    const a = resolveConfig();
    a.accessKeys.X = '111111111111';
    assert.deepEqual(resolveConfig().accessKeys, {});
  });
});
