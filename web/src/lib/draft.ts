// A form's draft of what the address applies (a list's filters): edited freely, and back to what is
// applied in the very render the address changes. Reset in an effect instead, the first render after
// a change (a "clear" link) would still hold the old draft, and a filter changed in that moment
// would apply the old filters with it.
import { useState } from "preact/hooks";

export function useDraft<T>(applied: T, key: string): [T, (next: T) => void] {
  const [draft, setDraft] = useState<{ key: string; value: T }>({ key, value: applied });
  const current = draft.key === key ? draft.value : applied;
  return [current, (value: T) => setDraft({ key, value })];
}
