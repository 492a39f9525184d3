import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from './schema';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('the settings’ documentation', () => {
  const settings = Object.keys(settingsSchema.shape);

  it('reads every setting the schema knows (the list is not empty)', () => {
    expect(settings.length).toBeGreaterThan(30);
    expect(settings).toContain('OPTARE_DATABASE_STATEMENT_TIMEOUT');
  });

  it('lists every setting in .env.example, as a line of its own (set or commented out)', () => {
    const example = read('.env.example');
    const missing = settings.filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });

  it('names every setting in the README', () => {
    const readme = read('README.md');
    expect(settings.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
