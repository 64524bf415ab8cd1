import { PageHeader } from "../components/ui";
import { t } from "../lib/i18n";
import type { ScreenProps } from "../lib/types";

export function Dashboard(_props: ScreenProps) {
  return <PageHeader title={t("nav.dashboard")} />;
}
