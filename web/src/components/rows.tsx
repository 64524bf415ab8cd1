// Lists of things with a delete button: the row's small action buttons (and the actions column of
// a Table), and the delete itself (confirm, delete, a success notice with undo where the thing can
// be put back, or an error notice).
import type { JSX } from "preact";
import { failure, success } from "./notices";
import type { Column } from "./table";
import { useConfirm, type ConfirmOptions } from "./ui";
import { t } from "../lib/i18n";

export interface Removal {
  /** The confirmation dialog (always a danger one). */
  confirm: Omit<ConfirmOptions, "danger">;
  /** Deletes, and reloads the list as the caller wants (awaited or not). */
  run: () => Promise<unknown>;
  /** The success notice. */
  done: string;
  /** Puts the thing back, and the notice after that; no undo button without it. */
  undo?: { run: () => Promise<unknown>; done: string };
  /** Told when the delete starts (after the confirmation) and ends. */
  busy?: (on: boolean) => void;
}

/** `remove(...)` asks, deletes and says how it went; render `dialog` once in the screen. */
export function useRemoval(): { remove: (removal: Removal) => Promise<void>; dialog: JSX.Element } {
  const { ask, dialog } = useConfirm();
  const remove = async (removal: Removal) => {
    if (!(await ask({ ...removal.confirm, danger: true }))) return;
    const { undo } = removal;
    removal.busy?.(true);
    try {
      await removal.run();
      success(
        removal.done,
        undo
          ? async () => {
              await undo.run();
              success(undo.done);
            }
          : undefined,
      );
    } catch (error) {
      failure(error);
    } finally {
      removal.busy?.(false);
    }
  };
  return { remove, dialog };
}

export interface RowAction {
  /** The accessible name, naming the row ("Delete mask X"). */
  label: string;
  onClick: () => void;
  /** The visible text (default: edit or delete, by the slot). */
  text?: string;
  disabled?: boolean;
  quiet?: boolean;
}

/** A small button in a row's actions cell. */
export function RowButton(props: RowAction & { text: string }) {
  return (
    <button
      type="button"
      class={props.quiet ? "button button-small button-quiet" : "button button-small"}
      disabled={props.disabled}
      aria-label={props.label}
      onClick={props.onClick}
    >
      {props.text}
    </button>
  );
}

/** A row's last column: edit and delete, each only when given (i.e. allowed); its header is hidden. */
export function actionsColumn<T>(actions: (row: T) => { edit?: RowAction; remove?: RowAction }): Column<T> {
  return {
    title: t("settings.actions"),
    hiddenTitle: true,
    cellClass: "actions",
    cell: (row) => {
      const { edit, remove } = actions(row);
      return (
        <>
          {edit && <RowButton {...edit} text={edit.text ?? t("common.edit")} />}{" "}
          {remove && <RowButton {...remove} text={remove.text ?? t("common.delete")} />}
        </>
      );
    },
  };
}
