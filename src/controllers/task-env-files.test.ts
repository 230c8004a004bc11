import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvFile } from './task-env-files.js';

describe('environment file parsing (as the ECS agent reads them)', () => {
  it('takes NAME=VALUE lines, split at the first "=", with no quoting or trimming', () => {
    assert.deepEqual(parseEnvFile('A=1\nURL=postgres://u:p@h/db?x=y\nQUOTED="kept"\nSPACED= a b \n'), {
      A: '1', URL: 'postgres://u:p@h/db?x=y', QUOTED: '"kept"', SPACED: ' a b ',
    });
  });

  it('skips comments, blank lines, lines without "=" and lines with an empty name or value; a later line wins', () => {
    assert.deepEqual(parseEnvFile('# comment\n\nNOEQUALS\n=novalue\nEMPTY=\nX=1\r\nX=2\r\n #not-a-comment=yes\n'), {
      X: '2', ' #not-a-comment': 'yes',
    });
  });
});
