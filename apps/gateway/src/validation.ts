/**
 * type-graphql's validateFn: class-validator over every argument object, failing with
 * BAD_USER_INPUT whose paths start at the argument's name (`input.inputs`, `first`).
 */
import { validate } from 'class-validator';
import { getNamedType, type GraphQLResolveInfo } from 'graphql/index.js';
import { badUserInput, flattenValidationErrors } from './errors.js';

export async function validateArgument(value: unknown, type: unknown, data: { info: GraphQLResolveInfo }): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  const items: object[] = Array.isArray(value) ? value : [value];
  const errors = (await Promise.all(items.map((v) => validate(v, { forbidUnknownValues: false })))).flat();
  if (errors.length > 0) throw badUserInput(flattenValidationErrors(errors, argumentName(type, data.info)));
}

/**
 * The argument an input class came in through, found by its GraphQL type name (type-graphql names
 * types after their classes). '' for an @ArgsType class, whose fields are the arguments themselves.
 */
function argumentName(type: unknown, info: GraphQLResolveInfo): string {
  const typeName = typeof type === 'function' ? type.name : '';
  const field = info.parentType.getFields()[info.fieldName];
  const arg = field?.args.find((a) => getNamedType(a.type).name === typeName);
  return arg?.name ?? '';
}
