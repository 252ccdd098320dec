import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { pageOf, type Page, type PageRequest, type SortKey } from '../../src/emulator/paging';
import { compareNewestFirst } from '../../src/emulator/state';

type Item = SortKey;

const keyOf = (item: Item): SortKey => item;

function sorted(items: readonly Item[]): Item[] {
  return [...items].sort((a, b) => compareNewestFirst(a.time, a.id, b.time, b.id));
}

/** Items with few distinct times, so ties on CreationTime are common. */
const hex = fc.constantFrom(...'0123456789abcdef');
const item = fc.record({
  time: fc.integer({ min: 0, max: 5 }),
  id: fc.string({ unit: hex, minLength: 1, maxLength: 4 }),
});
const items = fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 40 }).map(sorted);

describe('cursor paging', () => {
  it('never skips or repeats an item, whatever is deleted between pages', () => {
    fc.assert(
      fc.property(
        items,
        fc.integer({ min: 1, max: 7 }),
        fc.infiniteStream(fc.nat()),
        (all, size, dice) => {
          let current = all;
          const seen: string[] = [];
          const deletedUnseen = new Set<string>();
          let request: PageRequest = { style: 'cursor', after: undefined, maxResults: size };

          for (;;) {
            const page: Page<Item> = pageOf(current, keyOf, request);
            seen.push(...page.items.map((item) => item.id));
            if (page.nextToken === '') break;

            // delete one random item, seen or not, before asking for the next page
            const victim = current[dice.next().value % current.length];
            current = current.filter((item) => item !== victim);
            if (victim && !seen.includes(victim.id)) deletedUnseen.add(victim.id);
            const last: Item | undefined = page.items.at(-1);
            request = { style: 'cursor', after: last, maxResults: size };
          }

          expect(seen).toEqual(all.map((item) => item.id).filter((id) => !deletedUnseen.has(id)));
        },
      ),
    );
  });

  it('answers an empty NextToken exactly on the last page', () => {
    const list = sorted([1, 2, 3, 4].map((n) => ({ time: n, id: `s-${n}` })));

    expect(
      pageOf(list, keyOf, { style: 'cursor', after: undefined, maxResults: 4 }).nextToken,
    ).toBe('');
    expect(
      pageOf(list, keyOf, { style: 'cursor', after: undefined, maxResults: 3 }).nextToken,
    ).not.toBe('');
    expect(pageOf(list, keyOf, { style: 'number', pageNumber: 2, pageSize: 2 })).toMatchObject({
      items: list.slice(2),
      nextToken: '',
      pageNumber: 2,
      totalCount: 4,
    });
  });
});
