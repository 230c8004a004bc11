import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECSClient, PutAccountSettingCommand, PutAccountSettingDefaultCommand, ListAccountSettingsCommand, DeleteAccountSettingCommand,
  CreateClusterCommand, InvalidParameterException, paginateListAccountSettings, type Setting, type SettingName,
} from '@aws-sdk/client-ecs';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

const ROOT = 'arn:aws:iam::000000000000:root';
const USER = 'arn:aws:iam::000000000000:user/dev';

describe('ECS account settings through the v3 SDK', () => {
  const berth = useBerth({ clients: { ecs: ECSClient } });

  const effective = async (principalArn?: string) => {
    const all: Setting[] = [];
    for await (const page of paginateListAccountSettings({ client: berth.ecs }, { effectiveSettings: true, principalArn })) all.push(...(page.settings ?? []));
    return Object.fromEntries(all.map((s): [string, Setting] => [s.name!, s]));
  };

  it('the effective settings of a new account are AWS’s defaults, over two pages of at most 10', async () => {
    const first = await berth.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
    assert.equal(first.settings?.length, 10);
    assert.ok(first.nextToken);
    const settings = await effective();
    assert.deepEqual(Object.fromEntries(Object.values(settings).map((s) => [s.name, s.value])), {
      awsvpcTrunking: 'disabled',
      containerInsights: 'disabled',
      containerInstanceLongArnFormat: 'enabled',
      defaultLogDriverMode: 'non-blocking',
      fargateEventWindows: 'disabled',
      fargateFIPSMode: 'disabled',
      fargateTaskRetirementWaitPeriod: '7',
      guardDutyActivate: 'off',
      serviceLongArnFormat: 'enabled',
      tagResourceAuthorization: 'on',
      taskLongArnFormat: 'enabled',
    });
    assert.deepEqual(settings.serviceLongArnFormat, { name: 'serviceLongArnFormat', value: 'enabled', principalArn: ROOT, type: 'user' });
    assert.equal(settings.guardDutyActivate.type, 'aws_managed');
  });

  it('without effectiveSettings only explicitly set settings are listed', async () => {
    const { settings } = await berth.ecs.send(new ListAccountSettingsCommand({}));
    assert.deepEqual(settings, []);
  });

  it('PutAccountSetting for the caller changes its value, and new clusters follow containerInsights', async () => {
    const { setting } = await berth.ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enhanced' }));
    assert.deepEqual(setting, { name: 'containerInsights', value: 'enhanced', principalArn: ROOT, type: 'user' });
    const { settings } = await berth.ecs.send(new ListAccountSettingsCommand({}));
    assert.deepEqual(settings?.map((s) => [s.name, s.value]), [['containerInsights', 'enhanced']]);
    const { cluster } = await berth.ecs.send(new CreateClusterCommand({ clusterName: 'insightful' }));
    assert.deepEqual(cluster?.settings, [{ name: 'containerInsights', value: 'enhanced' }]);
  });

  it('a user’s own setting overrides the account default, which PutAccountSettingDefault sets', async () => {
    const { setting } = await berth.ecs.send(new PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    assert.deepEqual(setting, { name: 'awsvpcTrunking', value: 'enabled', principalArn: ROOT, type: 'user' });
    await berth.ecs.send(new PutAccountSettingCommand({ name: 'tagResourceAuthorization', value: 'off', principalArn: USER }));
    const user = await effective(USER);
    assert.deepEqual(user.tagResourceAuthorization, { name: 'tagResourceAuthorization', value: 'off', principalArn: USER, type: 'user' });
    assert.deepEqual(user.awsvpcTrunking, { name: 'awsvpcTrunking', value: 'enabled', principalArn: ROOT, type: 'user' });
    const own = await berth.ecs.send(new ListAccountSettingsCommand({ principalArn: USER }));
    assert.deepEqual(own.settings?.map((s) => s.name), ['tagResourceAuthorization']);
    const rootView = await effective();
    assert.equal(rootView.tagResourceAuthorization.value, 'on');
  });

  it('ListAccountSettings filters by name and value, and a value filter needs a name', async () => {
    const byName = await berth.ecs.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking', effectiveSettings: true }));
    assert.deepEqual(byName.settings?.map((s) => s.value), ['enabled']);
    const miss = await berth.ecs.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking', value: 'disabled', effectiveSettings: true }));
    assert.deepEqual(miss.settings, []);
    await rejects(berth.ecs.send(new ListAccountSettingsCommand({ value: 'enabled' })), InvalidParameterException, /account setting name/);
    await rejects(berth.ecs.send(new ListAccountSettingsCommand({ maxResults: 11 })), InvalidParameterException, /maxResults/);
  });

  it('settings and values are validated as ECS does', async () => {
    const put = (name: string, value: string, principalArn?: string) =>
      berth.ecs.send(new PutAccountSettingCommand({ name: name as SettingName, value, principalArn }));
    await rejects(put('dualStackIPv6x', 'enabled'), InvalidParameterException, /Invalid setting name/);
    await rejects(put('containerInsights', 'on'), InvalidParameterException, 'Invalid value for containerInsights: on. Valid values are enabled, disabled, enhanced.');
    await rejects(put('fargateTaskRetirementWaitPeriod', '3'), InvalidParameterException, /Valid values are 0, 7, 14/);
    await rejects(put('fargateTaskRetirementWaitPeriod', '14', USER), InvalidParameterException, /root user/);
    await rejects(put('guardDutyActivate', 'on'), InvalidParameterException, /read-only/);
    await rejects(put('fargateFIPSMode', 'enabled'), InvalidParameterException, /PutAccountSettingDefault/);
    await rejects(put('serviceLongArnFormat', 'enabled', 'arn:aws:iam::111111111111:user/other'), InvalidParameterException, /account that makes the request/);
    await rejects(put('serviceLongArnFormat', 'enabled', 'not-an-arn'), InvalidParameterException, /Invalid principalArn/);
    const waited = await put('fargateTaskRetirementWaitPeriod', '14');
    assert.equal(waited.setting?.value, '14');
    const fips = await berth.ecs.send(new PutAccountSettingDefaultCommand({ name: 'fargateFIPSMode', value: 'enabled' }));
    assert.equal(fips.setting?.value, 'enabled');
  });

  it('DeleteAccountSetting removes a principal’s value and returns it; the default applies again', async () => {
    const { setting } = await berth.ecs.send(new DeleteAccountSettingCommand({ name: 'tagResourceAuthorization', principalArn: USER }));
    assert.deepEqual(setting, { name: 'tagResourceAuthorization', value: 'off', principalArn: USER, type: 'user' });
    assert.equal((await effective(USER)).tagResourceAuthorization.value, 'on');
    await berth.ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights' }));
    assert.equal((await effective()).containerInsights.value, 'disabled');
    await rejects(berth.ecs.send(new DeleteAccountSettingCommand({ name: 'guardDutyActivate' })), InvalidParameterException, /read-only/);
  });

  it('account settings are kept per region', async () => {
    const west = new ECSClient(clientConfig(berth.endpoint, 'us-west-2'));
    try {
      const { settings } = await west.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking', effectiveSettings: true }));
      assert.equal(settings?.[0].value, 'disabled');
    } finally {
      west.destroy();
    }
  });
});
