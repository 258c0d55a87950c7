/** The "Functions:" block `func start` prints once the host is up. */
import type { HttpRoute } from './httpTriggers';
import type { FunctionInfo } from './loadApp';

export function formatFunctionList(
  functions: FunctionInfo[],
  routes: HttpRoute[],
  baseUrl: string,
  routePrefix: string,
): string {
  const lines = ['Functions:', ''];
  for (const f of functions) {
    const route = routes.find((r) => r.functionName === f.name);
    if (route) {
      const methods = route.methods.length > 0 ? route.methods.join(',') : 'GET,POST,PUT,DELETE,HEAD,PATCH,OPTIONS';
      const path = [routePrefix, route.route.replace(/^\/+/, '')].filter((p) => p !== '').join('/');
      lines.push(`\t${f.name}: [${methods}] ${baseUrl}/${path}`);
    } else {
      lines.push(`\t${f.name}: ${f.triggerType}${f.supported ? '' : ' (not supported by the devhost)'}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
