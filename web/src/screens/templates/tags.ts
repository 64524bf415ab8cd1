// The merge tags a template may use, as layers/common/okaeri/rendering/ defines them:
// the Jinja names (context.py TEMPLATE_NAMES, the view fields of views.py, the `yen` filter of
// sandbox.py) and the seed-style `@tags@` aliases of tags.py (ALIASES, `@coupon_<POOL>@`).
// Each row's description is the catalog key `templates.tag_<key>`.

export interface TagRow {
  key: string;
  /** What a click inserts. */
  jinja: string;
  /** The `@tags@` that print the same value (tags.py ALIASES). */
  aliases: string[];
}

export interface TagGroup {
  key: string;
  rows: TagRow[];
}

export const TAG_GROUPS: readonly TagGroup[] = [
  {
    key: "customer",
    rows: [
      { key: "customer_name", jinja: "{{ customer.name }}", aliases: ["@client_name@", "@customer_name@"] },
      { key: "customer_kana", jinja: "{{ customer.name_kana }}", aliases: [] },
      { key: "customer_email", jinja: "{{ customer.email }}", aliases: [] },
      { key: "customer_order_count", jinja: "{{ customer.order_count }}", aliases: [] },
    ],
  },
  {
    key: "order",
    rows: [
      { key: "order_id", jinja: "{{ order.order_id }}", aliases: ["@order_number@", "@order_id@"] },
      { key: "order_date", jinja: "{{ order.ordered_at }}", aliases: ["@order_date@"] },
      { key: "shipped_at", jinja: "{{ order.shipped_at }}", aliases: [] },
      { key: "delivered_at", jinja: "{{ order.delivered_at }}", aliases: [] },
      { key: "total", jinja: "{{ order.total|yen }}", aliases: [] },
      { key: "payment_method", jinja: "{{ order.payment_method }}", aliases: [] },
      { key: "shipping_method", jinja: "{{ order.shipping_method }}", aliases: [] },
      { key: "carrier", jinja: "{{ order.carrier }}", aliases: ["@carrier@"] },
      { key: "tracking_number", jinja: "{{ order.tracking_number }}", aliases: ["@tracking_number@"] },
      { key: "ship_to_name", jinja: "{{ order.ship_to.name }}", aliases: [] },
      {
        key: "ship_to_address",
        jinja: "〒{{ order.ship_to.postal_code }} {{ order.ship_to.prefecture }}{{ order.ship_to.address }}",
        aliases: [],
      },
    ],
  },
  {
    key: "items",
    rows: [
      {
        key: "items_loop",
        jinja: "{% for item in order.items %}・{{ item.name }} × {{ item.quantity }}\n{% endfor %}",
        aliases: [],
      },
      { key: "item_name", jinja: "{{ item.name }}", aliases: [] },
      { key: "item_quantity", jinja: "{{ item.quantity }}", aliases: [] },
      { key: "item_unit_price", jinja: "{{ item.unit_price|yen }}", aliases: [] },
      { key: "item_subtotal", jinja: "{{ item.subtotal|yen }}", aliases: [] },
    ],
  },
  {
    key: "shop",
    rows: [
      { key: "shop_name", jinja: "{{ shop.name }}", aliases: ["@shop_name@"] },
      { key: "signature", jinja: "{{ shop.signature }}", aliases: ["@signature@"] },
      { key: "shop_email", jinja: "{{ shop.email }}", aliases: [] },
    ],
  },
  {
    key: "links",
    rows: [
      { key: "review_url", jinja: "{{ review_url }}", aliases: ["@review_url@"] },
      { key: "unsubscribe_url", jinja: "{{ unsubscribe_url }}", aliases: ["@unsubscribe_url@"] },
    ],
  },
  {
    key: "conditions",
    rows: [
      {
        key: "if_repeat",
        jinja: "{% if customer.order_count > 1 %}{% else %}{% endif %}",
        aliases: [],
      },
      { key: "if_gift", jinja: "{% if order.is_gift %}{% endif %}", aliases: [] },
      {
        key: "if_ship_date_confirmed",
        jinja: "{% if order.ship_date_confirmed %}{% else %}{% endif %}",
        aliases: [],
      },
    ],
  },
];

/** The coupon rows: one per pool of the shop (`coupon("POOL")` / `@coupon_POOL@`). */
export function couponRows(pools: string[]): TagRow[] {
  return pools.map((pool) => ({
    key: "coupon",
    jinja: `{{ coupon("${pool}") }}`,
    aliases: [`@coupon_${pool}@`],
  }));
}
