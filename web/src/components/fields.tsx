// Labelled form controls built on Field: an input (any kind), a text input with the admin page's
// defaults, and a select over a list of values. Each ties its label, hint and error to the control.
import type { InputHTMLAttributes, Ref } from "preact";
import { Field } from "./ui";

type InputAttrs = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onInput" | "label" | "ref">;

/** An input with its label, hint and error; `onInput` is given the text. */
export function InputField(
  props: InputAttrs & {
    label: string;
    hint?: string;
    error?: string;
    value: string | number;
    onInput: (value: string) => void;
    inputRef?: Ref<HTMLInputElement>;
  },
) {
  const { label, hint, error, onInput, inputRef, ...input } = props;
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, describedBy) => (
        <input
          id={id}
          ref={inputRef}
          {...input}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onInput={(event) => onInput(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export interface TextFieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string;
  type?: string;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: "text" | "numeric" | "email" | "url";
  required?: boolean;
  list?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  name?: string;
}

/** A text input (or another `type`), with no autocomplete unless asked for. */
export function TextField(props: TextFieldProps) {
  return <InputField {...props} type={props.type ?? "text"} autoComplete={props.autoComplete ?? "off"} />;
}

/** A time of day as "HH:MM" (a number keyboard on phones). */
export function TimeField(props: Omit<TextFieldProps, "type" | "inputMode" | "maxLength">) {
  return <TextField {...props} inputMode="numeric" maxLength={5} />;
}

/** A whole-number input (a number keyboard on phones). */
export function NumberField(props: Omit<Parameters<typeof InputField>[0], "type" | "inputMode">) {
  return <InputField {...props} type="number" inputMode="numeric" />;
}

/** A select over `options` (labelled by `optionLabel`), after an "all/any" option of value "" when `any` is given. */
export function SelectField<V extends string>(props: {
  label: string;
  hint?: string;
  value: V | "";
  options: readonly V[];
  optionLabel: (value: V) => string;
  any?: string;
  onChange: (value: V) => void;
}) {
  return (
    <Field label={props.label} hint={props.hint}>
      {(id, describedBy) => (
        <select id={id} value={props.value} aria-describedby={describedBy} onChange={(event) => props.onChange(event.currentTarget.value as V)}>
          {props.any !== undefined && <option value="">{props.any}</option>}
          {props.options.map((value) => (
            <option key={value} value={value}>
              {props.optionLabel(value)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
