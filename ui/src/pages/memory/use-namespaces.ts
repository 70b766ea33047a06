import { useApi } from '../../use-api';
import { buildNamespaceTree } from './namespace-tree-model';

/**
 * Most memories read to draw the namespace tree. The API has no endpoint listing namespaces: the
 * tree is built from the namespaces of the newest memories (GET /memories, 200 a page).
 */
export const NAMESPACE_SCAN_LIMIT = 2000;

/** The namespace tree of the newest NAMESPACE_SCAN_LIMIT memories, and whether there were more. */
export function useNamespaces() {
  return useApi(async (api, signal) => {
    const namespaces: string[] = [];
    let more = false;
    for await (const memory of api.paginate('/api/v3/memories', { params: { query: { limit: 200 } }, signal })) {
      if (namespaces.length >= NAMESPACE_SCAN_LIMIT) {
        more = true;
        break;
      }
      namespaces.push(memory.namespace);
    }
    return { tree: buildNamespaceTree(namespaces), read: namespaces.length, more };
  }, []);
}
