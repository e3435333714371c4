// PostgreSQL cannot store a NUL character (U+0000) in text (error 22021) while SQLite can.
// To keep the two dialects one contract, every query refuses such a string up front, on
// both, with a clear error. (JSON columns never hit this: JSON.stringify escapes U+0000.)
import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

export function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

/** Throws the store's one error for a text value holding U+0000 (the plugin and reusable queries). */
export function assertNoNul(value: unknown): void {
  if (typeof value === 'string' && hasNul(value)) {
    throw new TypeError(`store: refused a text value containing a NUL character (U+0000) at index ${value.indexOf('\u0000')}; expected text without U+0000 (PostgreSQL cannot store it)`);
  }
}

class NulGuardTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    assertNoNul(node.value);
    return super.transformValue(node);
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    node.values.forEach(assertNoNul);
    return super.transformPrimitiveValueList(node);
  }
}

export class NulGuardPlugin implements KyselyPlugin {
  readonly #transformer = new NulGuardTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
