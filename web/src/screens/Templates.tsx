// テンプレート: the list (#/<shop>/templates), one template (#/<shop>/templates/<id>[?version=N])
// and a new one (#/<shop>/templates/_new[?from=<id>]: "_" cannot start a template id).
import "../styles/templates.css";
import { useLang } from "../lib/i18n";
import type { ScreenProps } from "../lib/types";
import { TemplateEditor } from "./templates/TemplateEditor";
import { TemplateList } from "./templates/TemplateList";

export const NEW_TEMPLATE = "_new";

export function Templates(props: ScreenProps) {
  useLang();
  const { shop, route, me } = props;
  const [id] = route.rest;
  if (!id) return <TemplateList shop={shop} />;
  if (id === NEW_TEMPLATE) {
    const from = route.query.get("from");
    return <TemplateEditor key={`new:${from ?? ""}`} shop={shop} me={me} templateId={null} version={null} from={from} />;
  }
  const asked = Number(route.query.get("version"));
  const version = Number.isInteger(asked) && asked >= 1 ? asked : null;
  return <TemplateEditor key={id} shop={shop} me={me} templateId={id} version={version} from={null} />;
}
