// A table described by its columns: each column says its header and how a row fills its cell, so
// a screen writes what its list shows and this writes the table around it (the scrolling wrapper,
// the hidden caption, the header row, the narrow-screen labels, a row that opens its page).
import type { ComponentChildren, JSX } from "preact";
import { navigate } from "../lib/router";
import { Empty, ErrorBox, Loading, MoreButton } from "./ui";

export interface Column<T> {
  /** The header text; in a `labelled` table also the cell's data-label. */
  title: string;
  /** The header is for screen readers only (an actions column); its cells have no data-label. */
  hiddenTitle?: boolean;
  /** The class of the header and of the cells ("num" for figures). */
  class?: string;
  /** The cell's class (or the row's), where it is not `class`. */
  cellClass?: string | ((row: T, index: number) => string | undefined);
  /** No data-label on this column's cells, even in a `labelled` table. */
  unlabelled?: boolean;
  /** The cells' data-testid. */
  testId?: string;
  cell: (row: T, index: number) => ComponentChildren;
}

type RowAttrs = JSX.HTMLAttributes<HTMLTableRowElement> & { "data-testid"?: string };

/** A column a screen may leave out: `false`, `null` and `undefined` are skipped. */
export type MaybeColumn<T> = Column<T> | false | null | undefined;

export interface TableProps<T> {
  rows: T[];
  columns: MaybeColumn<T>[];
  rowKey: (row: T, index: number) => string | number;
  /** More attributes of a row (its class, a data-testid). */
  rowAttrs?: (row: T, index: number) => RowAttrs;
  /** The row's page: a click anywhere on the row but on a link of its own opens it. */
  rowLink?: (row: T) => string;
  /** The caption, for screen readers only. */
  caption?: string;
  class?: string;
  testId?: string;
  /** The wrapper's classes besides table-wrap. */
  wrapClass?: string;
  /** Every cell carries its column's title as data-label (what a narrow screen shows before it). */
  labelled?: boolean;
}

/** A row that opens `link` when clicked anywhere but on a link of its own. */
function linkRow(link: string): RowAttrs {
  return {
    class: "clickable",
    onClick: (event) => {
      if (!(event.target as HTMLElement).closest("a")) navigate(link);
    },
  };
}

export function Table<T>(props: TableProps<T>) {
  const columns = props.columns.filter((column): column is Column<T> => Boolean(column));
  return (
    <div class={props.wrapClass ? `table-wrap ${props.wrapClass}` : "table-wrap"}>
      <table class={props.class} data-testid={props.testId}>
        {props.caption !== undefined && <caption class="visually-hidden">{props.caption}</caption>}
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col" class={column.class}>
                {column.hiddenTitle ? <span class="visually-hidden">{column.title}</span> : column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, index) => (
            <tr key={props.rowKey(row, index)} {...(props.rowLink && linkRow(props.rowLink(row)))} {...props.rowAttrs?.(row, index)}>
              {columns.map((column, at) => {
                const cellClass = typeof column.cellClass === "function" ? column.cellClass(row, index) : column.cellClass;
                const labelled = props.labelled && !column.unlabelled && !column.hiddenTitle;
                return (
                  <td
                    key={at}
                    class={cellClass ?? column.class}
                    data-label={labelled ? column.title : undefined}
                    data-testid={column.testId}
                  >
                    {column.cell(row, index)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A paged list (usePaged) as a table: its error, loading or empty text, the rows, and "more". */
export function PagedTable<T>(
  props: Omit<TableProps<T>, "rows"> & {
    list: { items: T[]; loading: boolean; error: unknown; hasMore: boolean; more: () => void };
    empty: ComponentChildren;
  },
) {
  const { list, empty, ...table } = props;
  return (
    <>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.error && list.items.length === 0 && (list.loading ? <Loading /> : <Empty>{empty}</Empty>)}
      {list.items.length > 0 && <Table {...table} rows={list.items} />}
      <MoreButton hasMore={list.hasMore} loading={list.loading} onMore={list.more} />
    </>
  );
}

/**
 * A whole (unpaged) list read with useDocument: its error, loading, empty text, or the table. The
 * rows are the document's, or `rows` where the list is inside the document.
 */
export function ListTable<T>(
  props: Omit<TableProps<T>, "rows"> & { empty: string } & (
      | { list: { data: T[] | null; error: unknown }; rows?: undefined }
      | { list: { data: unknown; error: unknown }; rows: T[] }
    ),
) {
  const { list, empty, ...table } = props;
  const rows = props.rows ?? (list.data as T[] | null) ?? [];
  return (
    <>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data && !list.error ? <Loading /> : rows.length === 0 ? <Empty>{empty}</Empty> : <Table {...table} rows={rows} />}
    </>
  );
}
