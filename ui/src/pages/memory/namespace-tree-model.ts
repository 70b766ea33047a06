/** One namespace label in the tree: `acme` › `support` › `agent42`. */
export interface NamespaceNode {
  /** The full namespace of this node ('acme.support'). */
  path: string;
  /** Its last label ('support'). */
  label: string;
  /** Memories in exactly this namespace (among those read). */
  own: number;
  /** Memories in this namespace and below it (among those read). */
  total: number;
  children: NamespaceNode[];
}

/**
 * The namespace tree of a list of namespaces (one entry per memory, repeats counted): every dotted
 * prefix is a node, children sorted by label. Returns the top-level nodes.
 */
export function buildNamespaceTree(namespaces: Iterable<string>): NamespaceNode[] {
  const root: NamespaceNode = { path: '', label: '', own: 0, total: 0, children: [] };
  const byPath = new Map<string, NamespaceNode>([['', root]]);
  for (const namespace of namespaces) {
    const labels = namespace.split('.').filter((label) => label.length > 0);
    let parent = root;
    root.total++;
    labels.forEach((label, index) => {
      const path = labels.slice(0, index + 1).join('.');
      let node = byPath.get(path);
      if (!node) {
        node = { path, label, own: 0, total: 0, children: [] };
        byPath.set(path, node);
        parent.children.push(node);
      }
      node.total++;
      if (index === labels.length - 1) node.own++;
      parent = node;
    });
  }
  const sort = (nodes: NamespaceNode[]) => {
    nodes.sort((a, b) => a.label.localeCompare(b.label));
    for (const node of nodes) sort(node.children);
  };
  sort(root.children);
  return root.children;
}

/** A node as shown: its depth (1 = top level) and its parent's path ('' for top level). */
export interface VisibleNode {
  node: NamespaceNode;
  level: number;
  parent: string;
}

/** The nodes on screen, in order: every top-level node and the children of each expanded one. */
export function visibleNodes(nodes: NamespaceNode[], expanded: ReadonlySet<string>, level = 1, parent = ''): VisibleNode[] {
  const out: VisibleNode[] = [];
  for (const node of nodes) {
    out.push({ node, level, parent });
    if (expanded.has(node.path)) out.push(...visibleNodes(node.children, expanded, level + 1, node.path));
  }
  return out;
}

/** The namespace and every namespace above it ('a.b.c' → ['a', 'a.b', 'a.b.c']). */
export function ancestors(path: string): string[] {
  const labels = path.split('.');
  return labels.map((_, index) => labels.slice(0, index + 1).join('.'));
}
