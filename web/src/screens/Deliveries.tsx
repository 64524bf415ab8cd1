// 配信: search the shop's mails (filters kept in the hash, so `#/<shop>/deliveries?status=unknown`
// is a plain link) and open one to see it as it will be sent and act on it.
import "../styles/deliveries.css";
import type { ScreenProps } from "../lib/types";
import { DeliveryDetail } from "./deliveries/DeliveryDetail";
import { DeliveryList } from "./deliveries/DeliveryList";

export function Deliveries(props: ScreenProps) {
  const id = props.route.rest[0];
  return id ? (
    <DeliveryDetail key={id} shop={props.shop} id={id} query={props.route.query} />
  ) : (
    <DeliveryList shop={props.shop} query={props.route.query} />
  );
}
