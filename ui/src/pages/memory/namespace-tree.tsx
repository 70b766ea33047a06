import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ancestors, visibleNodes, type NamespaceNode } from './namespace-tree-model';

export interface NamespaceTreeProps {
  nodes: NamespaceNode[];
  /** The selected namespace ('' = all). */
  selected: string;
  onSelect: (namespace: string) => void;
}

/**
 * The namespaces as an ARIA tree (one tab stop): ↑/↓ move, → expands (or enters the first child),
 * ← collapses (or goes to the parent), Home/End, Enter or Space selects. A click selects; the
 * triangle expands and collapses.
 */
export function NamespaceTree({ nodes, selected, onSelect }: NamespaceTreeProps) {
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(selected ? ancestors(selected).slice(0, -1) : []));
  const [focused, setFocused] = useState<string>(selected || nodes[0]?.path || '');
  const items = useRef(new Map<string, HTMLLIElement>());
  const moved = useRef(false);
  const visible = useMemo(() => visibleNodes(nodes, expanded), [nodes, expanded]);

  // The focused item must be on screen (e.g. after the tree changed): else the first one.
  const tabStop = visible.some((v) => v.node.path === focused) ? focused : (visible[0]?.node.path ?? '');

  useLayoutEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    items.current.get(tabStop)?.focus();
  }, [tabStop, visible]);

  const focus = (path: string) => {
    moved.current = true;
    setFocused(path);
  };
  const toggle = (path: string, open?: boolean) =>
    setExpanded((previous) => {
      const next = new Set(previous);
      if (open ?? !next.has(path)) next.add(path);
      else next.delete(path);
      return next;
    });

  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const current = visible[index];
    const hasChildren = current.node.children.length > 0;
    const isOpen = expanded.has(current.node.path);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        if (index + 1 < visible.length) focus(visible[index + 1].node.path);
        break;
      case 'ArrowUp':
        if (index > 0) focus(visible[index - 1].node.path);
        break;
      case 'ArrowRight':
        if (hasChildren && !isOpen) toggle(current.node.path, true);
        else if (hasChildren) focus(current.node.children[0].path);
        break;
      case 'ArrowLeft':
        if (hasChildren && isOpen) toggle(current.node.path, false);
        else if (current.parent) focus(current.parent);
        break;
      case 'Home':
        focus(visible[0].node.path);
        break;
      case 'End':
        focus(visible[visible.length - 1].node.path);
        break;
      case 'Enter':
      case ' ':
        onSelect(current.node.path);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  };

  return (
    <ul class="ns-tree" role="tree" aria-label="Namespaces">
      {visible.map(({ node, level }, index) => {
        const hasChildren = node.children.length > 0;
        return (
          <li
            key={node.path}
            ref={(element) => {
              if (element) items.current.set(node.path, element);
              else items.current.delete(node.path);
            }}
            role="treeitem"
            class="ns-item"
            data-namespace={node.path}
            data-level={Math.min(level, 8)}
            aria-level={level}
            aria-expanded={hasChildren ? expanded.has(node.path) : undefined}
            aria-selected={node.path === selected}
            tabIndex={node.path === tabStop ? 0 : -1}
            title={node.path}
            onKeyDown={(event) => onKeyDown(event, index)}
            onFocus={() => setFocused(node.path)}
            onClick={() => {
              setFocused(node.path);
              onSelect(node.path);
            }}
          >
            <span
              class="ns-twisty"
              aria-hidden="true"
              onClick={(event) => {
                if (!hasChildren) return;
                event.stopPropagation();
                toggle(node.path);
              }}
            >
              {hasChildren ? (expanded.has(node.path) ? '▾' : '▸') : ''}
            </span>
            <span class="ns-label">{node.label}</span>
            <span class="ns-count" aria-label={`${node.total} memories`}>
              {node.total}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
