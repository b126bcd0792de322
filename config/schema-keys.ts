import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a value at `path` may be checked against (every branch of a union), wrappers removed. */
function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return schemasAt(def.innerType!, path);
    case 'pipe':
      return schemasAt(def.in!, path);
    case 'lazy':
      return schemasAt(def.getter!(), path);
    case 'union':
      return def.options!.flatMap((o) => schemasAt(o, path));
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (def.type === 'object' && typeof head === 'string' && def.shape![head])
    return schemasAt(def.shape![head], rest);
  if (def.type === 'array' && typeof head === 'number') return schemasAt(def.element!, rest);
  if (def.type === 'record') return schemasAt(def.valueType!, rest);
  return [];
}

/** The keys an object at `path` of `schema` accepts (the union of every branch's keys), for did-you-mean. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = schemasAt(schema, path).flatMap((s) => {
    const def = defOf(s);
    return def.type === 'object' ? Object.keys(def.shape!) : [];
  });
  return [...new Set(keys)];
}
