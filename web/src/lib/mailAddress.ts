// The one rule for an e-mail address, the API's own (layers/common/okaeri/mail_address.py:
// ADDRESS_PATTERN, MAX_ADDRESS_CHARS; tests/unit/web/test_mail_address.py checks they are the same).
export const ADDRESS_PATTERN =
  "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";
export const MAX_ADDRESS_CHARS = 254;
const ADDRESS = new RegExp(ADDRESS_PATTERN);

/** Whether `text`, as it is (not trimmed), is an address the API takes. */
export function isMailAddress(text: string): boolean {
  return text.length <= MAX_ADDRESS_CHARS && ADDRESS.test(text);
}
