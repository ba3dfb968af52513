import { useState } from "preact/hooks";
import { isRemembered } from "../credentials.js";
import type { Credentials, GatewayError } from "../gateway.js";
import { type Translate, useI18n } from "../i18n/index.js";

/** The user-facing sentence for a refused connect (details.code from the gateway's auth check). */
export function describeConnectError(error: GatewayError, t: Translate): string {
  switch (error.details?.code) {
    case "AUTH_TOKEN_MISMATCH":
      return t("connect.error.tokenMismatch");
    case "AUTH_PASSWORD_MISMATCH":
      return t("connect.error.passwordMismatch");
    case "AUTH_TOKEN_MISSING":
      return t("connect.error.tokenMissing");
    case "AUTH_PASSWORD_MISSING":
      return t("connect.error.passwordMissing");
    case "AUTH_RATE_LIMITED":
      return error.retryAfterMs
        ? t("connect.error.rateLimited", { seconds: Math.ceil(error.retryAfterMs / 1000) })
        : t("connect.error.rateLimitedLater");
  }
  // A wrong secret that also tripped the limiter carries retryAfterMs.
  if (error.code === "UNREACHABLE") return t("connect.error.unreachable", { reason: error.message });
  return t("connect.error.other", { reason: error.message });
}

export function ConnectScreen(props: {
  initialError: GatewayError | undefined;
  onConnect(creds: Credentials | undefined, remember: boolean): Promise<GatewayError | undefined>;
}) {
  const { t } = useI18n();
  const [kind, setKind] = useState<Credentials["kind"]>("token");
  const [secret, setSecret] = useState("");
  const [remember, setRemember] = useState(isRemembered);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(props.initialError);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const creds = secret.trim() ? { kind, secret: secret.trim() } : undefined;
    const failure = await props.onConnect(creds, remember);
    setBusy(false);
    if (failure) setError(failure);
  };

  const retryNote =
    error?.retryAfterMs && error.details?.code !== "AUTH_RATE_LIMITED"
      ? t("connect.error.retryAfter", { seconds: Math.ceil(error.retryAfterMs / 1000) })
      : "";

  return (
    <form class="card connect" id="connect-form" onSubmit={submit}>
      <h1>{t("connect.title")}</h1>
      <p class="muted">{t("connect.intro")}</p>
      <fieldset class="inline">
        <legend>{t("connect.method")}</legend>
        <label>
          <input type="radio" name="kind" checked={kind === "token"} onChange={() => setKind("token")} />
          {t("connect.token")}
        </label>
        <label>
          <input
            type="radio"
            name="kind"
            checked={kind === "password"}
            onChange={() => setKind("password")}
          />
          {t("connect.password")}
        </label>
      </fieldset>
      <label class="connect-field">
        <span>{kind === "token" ? t("connect.token") : t("connect.password")}</span>
        <input
          id="secret"
          type="password"
          autocomplete={kind === "password" ? "current-password" : "off"}
          value={secret}
          onInput={(e) => setSecret((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <label class="check">
        <input
          id="remember"
          type="checkbox"
          checked={remember}
          onChange={(e) => setRemember((e.currentTarget as HTMLInputElement).checked)}
        />
        {t("connect.remember")}
      </label>
      <p class="muted small">{t("connect.rememberHint")}</p>
      {error && (
        <p class="banner error" role="alert" id="connect-error">
          {describeConnectError(error, t)} {retryNote}
        </p>
      )}
      <button type="submit" id="connect" disabled={busy}>
        {busy ? t("app.connecting") : t("connect.submit")}
      </button>
    </form>
  );
}
