import type { ComponentChildren } from 'preact';

export interface Column<T> {
  /** The column heading. */
  header: string;
  /** The cell of a row. */
  cell: (row: T) => ComponentChildren;
  /** Extra class of the column's cells (e.g. 'num' right-aligns, 'nowrap'). */
  class?: string;
}

export interface DataTableProps<T> {
  /** What the table lists, read by screen readers (and shown visually hidden). */
  caption: string;
  columns: Column<T>[];
  rows: T[];
  /** A stable key per row (default: its index). */
  rowKey?: (row: T) => string;
}

/** A plain table that scrolls sideways inside its box on narrow screens. */
export function DataTable<T>({ caption, columns, rows, rowKey }: DataTableProps<T>) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.header} class={column.class}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey ? rowKey(row) : index}>
              {columns.map((column) => (
                <td key={column.header} class={column.class}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
