// One part of a template as the editor shows it: the subject on one line, the texts and the HTML in
// a text area; the part with the focus is where the merge-tag help inserts.
import { Field } from "../../components/ui";
import type { Part } from "./types";

export function PartField(props: {
  part: Part;
  label: string;
  value: string;
  rows: number;
  hint?: string;
  mono?: boolean;
  error?: string;
  readOnly: boolean;
  register: (element: HTMLInputElement | HTMLTextAreaElement | null) => void;
  onFocus: () => void;
  onInput: (value: string) => void;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) =>
        props.part === "subject" ? (
          <input
            id={id}
            ref={props.register}
            value={props.value}
            readOnly={props.readOnly}
            aria-describedby={describedBy}
            aria-invalid={props.error ? true : undefined}
            onFocus={props.onFocus}
            onInput={(event) => props.onInput(event.currentTarget.value)}
          />
        ) : (
          <textarea
            id={id}
            ref={props.register}
            class={props.mono ? "mono" : undefined}
            rows={props.rows}
            value={props.value}
            readOnly={props.readOnly}
            spellcheck={false}
            aria-describedby={describedBy}
            aria-invalid={props.error ? true : undefined}
            onFocus={props.onFocus}
            onInput={(event) => props.onInput(event.currentTarget.value)}
          />
        )
      }
    </Field>
  );
}
