export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'server-only') {
    return nextResolve('server-only', { ...context, conditions: [...context.conditions, 'react-server'] });
  }
  return nextResolve(specifier, context);
}
