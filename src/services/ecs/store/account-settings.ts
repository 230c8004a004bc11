/** ECS account settings in SQLite: a value per account, region, principal and setting name. */
import type { Scope } from '../../../state/scope.js';

export function storedSetting({ sql, account, region }: Scope, principal: string, name: string): string | undefined {
  const row = sql
    .get('SELECT value FROM ecs_account_settings WHERE account = ? AND region = ? AND principal_arn = ? AND name = ?')
    .get(account, region, principal, name) as { value: string } | undefined;
  return row?.value;
}

export function putSetting({ sql, account, region }: Scope, principal: string, name: string, value: string) {
  sql
    .get(`INSERT INTO ecs_account_settings (account, region, principal_arn, name, value) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (account, region, principal_arn, name) DO UPDATE SET value = excluded.value`)
    .run(account, region, principal, name, value);
}

export function deleteSetting({ sql, account, region }: Scope, principal: string, name: string) {
  sql
    .get('DELETE FROM ecs_account_settings WHERE account = ? AND region = ? AND principal_arn = ? AND name = ?')
    .run(account, region, principal, name);
}
