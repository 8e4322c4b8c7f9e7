/**
 * Validation rule: refuse operations nested deeper than `maxDepth` fields. Fragments are followed
 * (each at most once per path, so a fragment cycle cannot loop; NoFragmentCycles reports it).
 * Introspection fields (`__schema`, `__type`, `__typename`) are not counted.
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql/index.js';

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const depth = selectionDepth(context, node.selectionSet, new Set());
      if (depth > maxDepth) {
        const name = node.name ? `'${node.name.value}' ` : '';
        context.reportError(
          new GraphQLError(`Operation ${name}is ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [node] }),
        );
      }
    },
  });
}

function selectionDepth(context: ValidationContext, set: SelectionSetNode | undefined, fragments: Set<string>): number {
  if (!set) return 0;
  let deepest = 0;
  for (const sel of set.selections) {
    let depth = 0;
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      depth = 1 + selectionDepth(context, sel.selectionSet, fragments);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      depth = selectionDepth(context, sel.selectionSet, fragments);
    } else {
      const name = sel.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || fragments.has(name)) continue;
      fragments.add(name);
      depth = selectionDepth(context, fragment.selectionSet, fragments);
      fragments.delete(name);
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}
