import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";

/**
 * What `web.login.start` and `web.login.wait` answer: a code to show (its text, and the
 * gateway's drawing of it as an image data URL), linked, or why it ended.
 */
interface LoginUpdate {
  connected: boolean;
  qr?: string;
  qrDataUrl?: string;
  message: string;
}

type Step =
  | { name: "idle" }
  | { name: "starting" }
  | { name: "scan"; qr: string; img?: string }
  | { name: "linked" }
  | { name: "failed"; reason: string };

// WhatsApp sends the first code within seconds; each wait is a long poll the gateway
// answers at the next rotation (~20 s), at the outcome, or at this timeout (then: ask again).
const START_TIMEOUT_MS = 30_000;
const WAIT_TIMEOUT_MS = 60_000;

/**
 * WhatsApp's QR login in the browser, as `openclaw channels login` does it in a terminal:
 * `web.login.start` gives the first code, each `web.login.wait` the next one WhatsApp
 * rotates to, until the phone links the gateway or the login ends. Cancel stops showing
 * codes; the gateway drops an unscanned login by itself when WhatsApp stops sending codes.
 */
export function WhatsAppLogin({
  conn,
  connected,
  note,
  onChange,
}: {
  conn: GatewayConnection;
  /** The channel is linked and connected: nothing to offer but the outcome of our own login. */
  connected: boolean;
  /** The channel's own status line ("not linked"…), shown until a login has more to say. */
  note: ComponentChildren;
  /** The channel's status changed (linked, or the login ended): reload it. */
  onChange: () => void;
}) {
  const { t } = useI18n();
  const [step, setStep] = useState<Step>({ name: "idle" });
  // Each login run has a number; a newer run (or Cancel, or leaving the screen) retires the old.
  const run = useRef(0);
  useEffect(
    () => () => {
      run.current++;
    },
    [],
  );
  // Linked, then disconnected later (logged out): offer the link again.
  const wasConnected = useRef(connected);
  useEffect(() => {
    if (wasConnected.current && !connected) setStep((s) => (s.name === "linked" ? { name: "idle" } : s));
    wasConnected.current = connected;
  }, [connected]);

  const link = async () => {
    const id = ++run.current;
    const current = () => run.current === id;
    setStep({ name: "starting" });
    let shown: string | undefined;
    try {
      let update = await conn.request<LoginUpdate>("web.login.start", {
        channel: "whatsapp",
        timeoutMs: START_TIMEOUT_MS,
      });
      while (current()) {
        if (update.connected) {
          setStep({ name: "linked" });
          onChange();
          return;
        }
        if (!update.qr) {
          setStep({ name: "failed", reason: update.message });
          onChange();
          return;
        }
        // The first code puts the channel in "waiting for the scan": show that state.
        if (shown === undefined) onChange();
        shown = update.qr;
        setStep({ name: "scan", qr: update.qr, img: update.qrDataUrl });
        update = await conn.request<LoginUpdate>("web.login.wait", {
          channel: "whatsapp",
          after: shown,
          timeoutMs: WAIT_TIMEOUT_MS,
        });
      }
    } catch (err) {
      if (current()) setStep({ name: "failed", reason: errorText(err) });
    }
  };

  const cancel = () => {
    run.current++;
    setStep({ name: "idle" });
  };

  return (
    <div class="wa-login" id="whatsapp-login" data-step={step.name}>
      {(step.name === "idle" || step.name === "starting") && note}
      {step.name === "linked" && (
        <p class="banner ok" role="status">
          {t("whatsapp.linked")}
        </p>
      )}
      {step.name === "failed" && (
        <p class="banner error" role="alert">
          {t("whatsapp.failed", { reason: step.reason })}
        </p>
      )}
      {step.name === "starting" && <p class="muted">{t("whatsapp.starting")}</p>}
      {step.name === "scan" && (
        <>
          <p class="small">{t("whatsapp.scan")}</p>
          {/* The gateway draws the code (black on white, with its quiet zone); data-qr carries the text. */}
          <img class="qr" src={step.img} alt={t("whatsapp.qrLabel")} data-qr={step.qr} />
        </>
      )}
      {(step.name === "starting" || step.name === "scan") && (
        <button type="button" class="secondary" id="whatsapp-cancel" onClick={cancel}>
          {t("auto.cancel")}
        </button>
      )}
      {!connected && (step.name === "idle" || step.name === "failed") && (
        <button type="button" id="whatsapp-link" onClick={() => void link()}>
          {t("whatsapp.link")}
        </button>
      )}
    </div>
  );
}
