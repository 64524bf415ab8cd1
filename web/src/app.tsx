// The page: sign-in, then the shell (header, menu, the chosen shop's screen).
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { LangSwitch } from "./components/LangSwitch";
import { Notices } from "./components/notices";
import { ErrorBox, Loading } from "./components/ui";
import { get, loadPermissions, post, setShopRole } from "./lib/api";
import { currentSession, hasStoredSession, onSessionChange, refreshNow, restoreSession, signOut, type Session } from "./lib/auth";
import { t, useLang } from "./lib/i18n";
import { href, navigate, parseHash, useRoute } from "./lib/router";
import type { Invitation, Me, ScreenProps } from "./lib/types";
import { Calendar } from "./screens/Calendar";
import { Customers } from "./screens/Customers";
import { Dashboard } from "./screens/Dashboard";
import { Deliveries } from "./screens/Deliveries";
import { Imports } from "./screens/Imports";
import { Receptions } from "./screens/Receptions";
import { Results } from "./screens/Results";
import { Scenarios } from "./screens/Scenarios";
import { Settings } from "./screens/Settings";
import { SignIn } from "./screens/SignIn";
import { Templates } from "./screens/Templates";

interface ScreenEntry {
  name: string;
  icon: string;
  component: FunctionComponent<ScreenProps>;
}

export const SCREENS: readonly ScreenEntry[] = [
  { name: "dashboard", icon: "◔", component: Dashboard },
  { name: "results", icon: "↗", component: Results },
  { name: "deliveries", icon: "✉", component: Deliveries },
  { name: "scenarios", icon: "⇶", component: Scenarios },
  { name: "templates", icon: "✎", component: Templates },
  { name: "calendar", icon: "▦", component: Calendar },
  { name: "receptions", icon: "⇩", component: Receptions },
  { name: "customers", icon: "☺", component: Customers },
  { name: "imports", icon: "⇪", component: Imports },
  { name: "settings", icon: "⚙", component: Settings },
];

export function App() {
  useLang();
  const [session, setSession] = useState<Session | null>(currentSession());
  const [reason, setReason] = useState<"expired" | "signed-out" | undefined>();
  // after a reload, the tab's stored session is restored before the form would show
  const [restoring, setRestoring] = useState(() => !currentSession() && hasStoredSession());
  useEffect(() => {
    const stop = onSessionChange((next, why) => {
      setSession(next);
      if (why) setReason(why);
    });
    if (restoring) void restoreSession().finally(() => setRestoring(false));
    return stop;
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <>
      {session ? (
        <Shell key={session.email} />
      ) : restoring ? (
        <main class="content"><Loading /></main>
      ) : (
        <SignIn reason={reason} />
      )}
      <Notices />
    </>
  );
}

/** Invitations to shops: the person joins a shop only by accepting (a role belongs to a shop). */
function Invitations(props: { invitations: Invitation[]; onAnswered: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (props.invitations.length === 0) return null;
  const answer = async (shop: string, verb: "accept" | "decline") => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/invitations/${encodeURIComponent(shop)}/${verb}`);
      if (verb === "accept") await refreshNow(); // the new shop is in the next token
      props.onAnswered();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="info-box" data-testid="invitations">
      <h2>{t("shell.invitations")}</h2>
      {error ? <ErrorBox error={error} /> : null}
      <ul>
        {props.invitations.map((invitation) => (
          <li key={invitation.shop}>
            {t("shell.invitation", {
              shop: invitation.name ? `${invitation.name} (${invitation.shop})` : invitation.shop,
              role: t(`roles.${invitation.role}`),
            })}{" "}
            <button type="button" class="button" disabled={busy} onClick={() => void answer(invitation.shop, "accept")}>
              {t("shell.accept")}
            </button>{" "}
            <button
              type="button"
              class="button button-quiet"
              disabled={busy}
              onClick={() => void answer(invitation.shop, "decline")}
            >
              {t("shell.decline")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Shell() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [loads, setLoads] = useState(0);
  useEffect(() => {
    Promise.all([get<Me>("/api/me"), loadPermissions()])
      .then(([who]) => setMe(who))
      .catch(setError);
  }, [loads]);
  const reload = () => setLoads((n) => n + 1);
  useEffect(() => setMenuOpen(false), [route.screen, route.shop]);
  useEffect(() => {
    // Read the hash now, not the render's route: a link followed meanwhile must win.
    const shop = parseHash(location.hash).shop;
    if (me && me.shops.length > 0 && !me.shops.some((known) => known.id === shop)) {
      navigate(href(me.shops[0].id, "dashboard"));
    }
  }, [me, route.shop]);

  if (error) return <main class="content"><ErrorBox error={error} /></main>;
  if (!me) return <main class="content"><Loading /></main>;
  if (me.shops.length === 0) {
    return (
      <main class="content">
        <Invitations invitations={me.invitations} onAnswered={reload} />
        {me.invitations.length === 0 ? <p class="info-box">{t("shell.no_shops")}</p> : null}
        <button type="button" class="button" onClick={signOut}>{t("shell.sign_out")}</button>
      </main>
    );
  }
  const shop = route.shop && me.shops.some((s) => s.id === route.shop) ? route.shop : me.shops[0].id;
  const entry = SCREENS.find((screen) => screen.name === route.screen) ?? SCREENS[0];
  const Screen = entry.component;
  const role = me.shops.find((s) => s.id === shop)?.role ?? null;
  setShopRole(role); // before the screen renders: what it may offer is this shop's role
  const inShop: Me = { ...me, role };
  return (
    <div class="shell">
      <a class="skip-link" href="#main">{t("shell.skip")}</a>
      <header class="topbar">
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span>
          <span class="visually-hidden">{t("shell.menu")}</span>
        </button>
        <a class="brand" href={href(shop, "dashboard")}>
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>Okaeri</span>
        </a>
        <label class="shop-select">
          <span class="visually-hidden">{t("shell.shop")}</span>
          <select value={shop} onChange={(e) => navigate(href(e.currentTarget.value, entry.name))}>
            {me.shops.map((s) => (
              <option key={s.id} value={s.id}>{s.name ? `${s.name} (${s.id})` : s.id}</option>
            ))}
          </select>
        </label>
        <div class="topbar-right">
          <LangSwitch />
          <span class="user" title={me.email ?? ""}>
            <span class="user-email">{me.email}</span>
            <span class="badge badge-info" data-testid="role">{t(`roles.${role}`)}</span>
          </span>
          <button type="button" class="button button-quiet" onClick={signOut}>{t("shell.sign_out")}</button>
        </div>
      </header>
      <nav id="nav" class={`nav${menuOpen ? " nav-open" : ""}`} aria-label={t("shell.menu")}>
        <ul>
          {SCREENS.map((screen) => (
            <li key={screen.name}>
              <a
                href={href(shop, screen.name)}
                aria-current={screen.name === entry.name ? "page" : undefined}
              >
                <span class="nav-icon" aria-hidden="true">{screen.icon}</span>
                {t(`nav.${screen.name}`)}
              </a>
            </li>
          ))}
        </ul>
        <div class="nav-footer">
          <p class="small muted">{me.email}</p>
          <LangSwitch />
        </div>
      </nav>
      <main class="content" id="main" tabIndex={-1}>
        <Invitations invitations={me.invitations} onAnswered={reload} />
        <Screen key={`${shop}/${entry.name}`} shop={shop} route={route} me={inShop} />
      </main>
    </div>
  );
}
