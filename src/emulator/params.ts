import { ApiError, invalidParameter, missingParameter, missingRegionId } from './errors';
import { parseRawQuery } from './signature';

export interface TagFilter {
  readonly key: string;
  /** Absent: any value of the key matches. */
  readonly value?: string;
}

export interface KeyValueFilter {
  readonly key: string;
  readonly value: string;
}

const MAX_TAG_FILTERS = 20;

/**
 * The API parameters of one call, read from the query string only (ECS calls carry no body).
 * An empty value counts as absent, as the SDK only sends parameters that were set.
 */
export class QueryParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  static fromRawQuery(rawQuery: string): QueryParams {
    return new QueryParams(new Map(parseRawQuery(rawQuery)));
  }

  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === '' ? undefined : value;
  }

  regionId(): string {
    const regionId = this.get('RegionId');
    if (regionId === undefined) throw missingRegionId();
    return regionId;
  }

  required(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  bool(name: string): boolean {
    const value = this.get(name);
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    throw invalidParameter(name, value, 'true or false');
  }

  int(name: string, min: number, max: number): number | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;

    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(parsed >= min && parsed <= max)) {
      throw invalidParameter(name, value, `an integer from ${min} to ${max}`);
    }
    return parsed;
  }

  /** A JSON array of ids, such as `SnapshotIds`; `malformed` is thrown for bad input. */
  idList(name: string, max: number, malformed: () => ApiError): readonly string[] | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;

    const ids = parseJson(value);
    const valid = Array.isArray(ids) && ids.every((id) => typeof id === 'string');
    if (!valid || ids.length > max) throw malformed();
    return ids as string[];
  }

  /** A comma-separated list such as `Status=Available,Deprecated`. */
  list(name: string): readonly string[] | undefined {
    return this.get(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs, N = 1..20. */
  tags(): readonly TagFilter[] {
    const indexes = this.indexesOf('Tag');
    if (indexes.some((n) => n < 1 || n > MAX_TAG_FILTERS)) {
      throw new ApiError(400, 'InvalidTagCount', 'The maximum number of tags is exceeded.');
    }

    return indexes.map((n) => {
      const key = this.get(`Tag.${n}.Key`);
      const value = this.get(`Tag.${n}.Value`);
      if (key === undefined) {
        throw new ApiError(400, 'InvalidTag.Mismatch', `Tag.${n}.Value is given without a key.`);
      }
      return value === undefined ? { key } : { key, value };
    });
  }

  /** `Filter.N.Key` / `Filter.N.Value` pairs. */
  filters(): readonly KeyValueFilter[] {
    return this.indexesOf('Filter').map((n) => ({
      key: this.get(`Filter.${n}.Key`) ?? '',
      value: this.get(`Filter.${n}.Value`) ?? '',
    }));
  }

  private indexesOf(prefix: string): number[] {
    const pattern = new RegExp(`^${prefix}\\.(\\d+)\\.(?:Key|Value)$`);
    const indexes = new Set<number>();
    for (const [name, value] of this.values) {
      const match = pattern.exec(name);
      if (match && value !== '') indexes.add(Number(match[1]));
    }
    return [...indexes].sort((a, b) => a - b);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
