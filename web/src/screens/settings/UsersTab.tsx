// ユーザーと役割 (owner only): invite an operator (a new address gets a temporary password by mail;
// anyone joins only by accepting the invitation after signing in), change a role in this shop,
// remove someone from this shop or withdraw an invitation. The API keeps at least one owner and says so (409).
import { useState } from "preact/hooks";
import { Badge, useDocument } from "../../components/ui";
import { InputField, SelectField } from "../../components/fields";
import { failure, success } from "../../components/notices";
import { RowButton, useRemoval } from "../../components/rows";
import { ListTable } from "../../components/table";
import { del, newIdempotencyKey, post, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { TabSection } from "./form";
import { isMailAddress } from "../../lib/mailAddress";
import { ROLES, type RoleName, type ShopOperator } from "./types";

function statusBadge(user: ShopOperator) {
  if (!user.enabled) return <Badge tone="bad">{t("settings.user_disabled")}</Badge>;
  if (user.status === "invited") return <Badge tone="warn">{t("settings.user_invited")}</Badge>;
  if (user.status === "CONFIRMED") return <Badge tone="ok">{t("settings.user_active")}</Badge>;
  if (user.status === "FORCE_CHANGE_PASSWORD") return <Badge tone="warn">{t("settings.user_invited")}</Badge>;
  return <Badge tone="muted">{user.status}</Badge>;
}

export function UsersTab(props: { shop: string; me: string | null }) {
  const path = shopPath(props.shop, "/users");
  const list = useDocument<ShopOperator[]>(path);
  const [busyUser, setBusyUser] = useState<string | null>(null);
  const removal = useRemoval();
  const userPath = (username: string) => shopPath(props.shop, `/users/${encodeURIComponent(username)}`);

  const setRole = async (user: ShopOperator, role: RoleName, withUndo = true) => {
    const previous = user.role as RoleName | null;
    setBusyUser(user.username);
    try {
      await put(`${userPath(user.username)}/role`, { role });
      await list.reload();
      success(
        t("settings.user_role_changed", { email: user.email, role: t(`roles.${role}`) }),
        withUndo && previous && ROLES.includes(previous) && previous !== role
          ? () => setRole({ ...user, role }, previous, false)
          : undefined,
      );
    } catch (error) {
      failure(error);
      await list.reload();
    } finally {
      setBusyUser(null);
    }
  };

  const remove = (user: ShopOperator) => {
    const role = user.role as RoleName | null;
    return removal.remove({
      confirm: {
        title: t("settings.user_remove_title"),
        body: <p>{t("settings.user_remove_body", { email: user.email })}</p>,
        confirmLabel: t("settings.user_remove"),
      },
      busy: (on) => setBusyUser(on ? user.username : null),
      run: async () => {
        await del(userPath(user.username));
        await list.reload();
      },
      done: t("settings.user_removed", { email: user.email }),
      undo:
        role && ROLES.includes(role)
          ? {
              run: async () => {
                await post(path, { email: user.email, role }, { idempotencyKey: newIdempotencyKey() });
                await list.reload();
              },
              done: t("settings.user_restored", { email: user.email }),
            }
          : undefined,
    });
  };

  return (
    <TabSection id="set-users-title" title={t("settings.tab_users")} lead={t("settings.users_lead")}>
      <InviteForm
        onInvite={async (email, role) => {
          await post(path, { email, role }, { idempotencyKey: newIdempotencyKey() });
          await list.reload();
          success(t("settings.user_invited_notice", { email }));
        }}
      />
      <ListTable
        list={list}
        empty={t("settings.users_empty")}
        class="set-users"
        rowKey={(user) => user.username}
        columns={[
          {
            title: t("settings.user_email"),
            cell: (user) => (
              <>
                <span class="set-email">{user.email}</span>
                {props.me !== null && user.email.toLowerCase() === props.me.toLowerCase() && (
                  <span class="badge badge-info set-badge-gap">{t("settings.user_you")}</span>
                )}
              </>
            ),
          },
          {
            title: t("settings.user_role"),
            cell: (user) => (
              <>
                <label class="visually-hidden" for={`role-${user.username}`}>
                  {t("settings.user_role_of", { email: user.email })}
                </label>
                <select
                  id={`role-${user.username}`}
                  value={user.role ?? ""}
                  disabled={busyUser === user.username || user.status === "invited"}
                  onChange={(event) => void setRole(user, event.currentTarget.value as RoleName)}
                >
                  {!user.role && <option value="">—</option>}
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {t(`roles.${role}`)}
                    </option>
                  ))}
                </select>
              </>
            ),
          },
          { title: t("settings.user_status"), cell: statusBadge },
          {
            title: t("settings.actions"),
            hiddenTitle: true,
            cellClass: "actions",
            cell: (user) => (
              <RowButton
                text={t("settings.user_remove")}
                label={t("settings.user_remove_named", { email: user.email })}
                disabled={busyUser === user.username}
                onClick={() => void remove(user)}
              />
            ),
          },
        ]}
      />
      <dl class="set-roles small">
        {ROLES.map((role) => (
          <div key={role}>
            <dt>{t(`roles.${role}`)}</dt>
            <dd>{t(`settings.role_desc_${role}`)}</dd>
          </div>
        ))}
      </dl>
      {removal.dialog}
    </TabSection>
  );
}

function InviteForm(props: { onInvite: (email: string, role: RoleName) => Promise<void> }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<RoleName>("staff");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="card set-subform set-invite"
      aria-labelledby="set-invite-title"
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        if (!isMailAddress(email.trim())) {
          setError(t("settings.error_address"));
          return;
        }
        setError(undefined);
        setBusy(true);
        try {
          await props.onInvite(email.trim(), role);
          setEmail("");
          setRole("staff");
        } catch (caught) {
          failure(caught);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3 id="set-invite-title">{t("settings.invite_title")}</h3>
      <div class="set-invite-row">
        <InputField
          label={t("settings.invite_email")}
          hint={t("settings.invite_hint")}
          error={error}
          type="email"
          inputMode="email"
          autoComplete="off"
          value={email}
          onInput={setEmail}
        />
        <SelectField
          label={t("settings.invite_role")}
          value={role}
          options={ROLES}
          optionLabel={(name) => t(`roles.${name}`)}
          onChange={setRole}
        />
        <div class="set-invite-submit">
          <button type="submit" class="button button-primary" disabled={busy}>
            {t("settings.invite")}
          </button>
        </div>
      </div>
    </form>
  );
}
