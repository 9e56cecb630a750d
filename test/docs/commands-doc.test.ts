import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentCommandsDoc, renderCommandsDoc } from './gen-commands.js';

test('docs/commands.md matches the command table (run `npm run docs` to regenerate)', () => {
  assert.equal(currentCommandsDoc(), renderCommandsDoc());
});
