import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { formatIssues, inventorySchema } from './schema';
import type { EmulatorInventory } from './types';

/**
 * Reads an emulator inventory from a JSON or YAML file (YAML unless the name ends in
 * `.json`) and validates it. Errors name the file, the field and the value found.
 */
export async function loadEmulatorInventory(path: string): Promise<EmulatorInventory> {
  const text = await readFile(path, 'utf8');
  return parseEmulatorInventory(parseText(path, text), path);
}

function parseText(path: string, text: string): unknown {
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Emulator inventory ${path} is not valid JSON or YAML: ${reason}`, {
      cause: error,
    });
  }
}

/** Validates an already parsed inventory; `source` names it in error messages. */
export function parseEmulatorInventory(data: unknown, source = 'inventory'): EmulatorInventory {
  const result = inventorySchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw new Error(
      `Emulator inventory ${source} is invalid:\n${formatIssues(result.error.issues)}`,
    );
  }
  return result.data as EmulatorInventory;
}
