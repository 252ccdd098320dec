import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every stable code the sources define: `readonly code = '…'` and the code unions. */
async function codesInSources(dir = 'src'): Promise<Set<string>> {
  const codes = new Set<string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    for (const [, code] of text.matchAll(/readonly code = '([A-Z_]+)'/g)) codes.add(code ?? '');
    for (const [code] of text.matchAll(/'(?:GUARD|INVENTORY)_[A-Z_]+'/g)) {
      codes.add(code.slice(1, -1));
    }
  }
  return codes;
}

async function codesInReadme(): Promise<Set<string>> {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.split('### Error codes')[1]?.split('\n### ')[0] ?? '';
  return new Set([...section.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map(([, code]) => code ?? ''));
}

describe('error codes', () => {
  it('are listed in the README exactly as the sources define them', async () => {
    expect([...(await codesInReadme())].sort()).toEqual([...(await codesInSources())].sort());
  });
});
