import { useEffect, useRef, useState } from "preact/hooks";
import { RowMenu } from "../components/row-menu.js";
import type { GatewayConnection, GatewayError } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import type { Talk, TalkState } from "./chat-talk.js";
import { recordingBlocker } from "./chat-voice.js";

/** The microphone Talk opens, kept in this browser only (never sent to the gateway); none = the system's default. */
const MIC_KEY = "openclaw.controlUi.talkMicrophone";

/**
 * The audio inputs. Until the page may use a microphone the browser hides their ids and
 * names, so it asks once (the tracks stop at once) and lists them again, as OpenClaw does.
 */
async function listMicrophones(): Promise<MediaDeviceInfo[]> {
  const media = navigator.mediaDevices;
  let all = await media.enumerateDevices();
  if (all.some((d) => d.kind === "audioinput" && !d.label)) {
    for (const track of (await media.getUserMedia({ audio: true })).getTracks()) track.stop();
    all = await media.enumerateDevices();
  }
  return all.filter((d) => d.kind === "audioinput" && d.deviceId && d.deviceId !== "default");
}

/** A button offered with an error ("Use System default for this call"). */
export interface ProblemAction {
  label: string;
  run(): void;
}

interface TalkControlsProps {
  conn: GatewayConnection;
  sessionKey: string;
  onProblem(text: string, action?: ProblemAction): void;
}

/**
 * Talk's button, the caret beside it that picks the microphone (on a phone, one button: its
 * menu starts Talk and picks the microphone), and, during a call, the
 * pill that says what it is doing and stops it. The call's code is its own chunk,
 * fetched on the first click. A chosen microphone that is gone or cannot be opened
 * ends the start with an error offering the system default for this one call: another
 * microphone is never opened without the user asking.
 */
export function TalkControls(props: TalkControlsProps) {
  const { t } = useI18n();
  const [talk, setTalk] = useState<TalkState | undefined>();
  const endTalk = useRef<Talk | undefined>(undefined);
  /** Video Talk: the call's provider takes camera frames; the camera's stream while it is on. */
  const [video, setVideo] = useState(false);
  const [camera, setCamera] = useState<MediaStream | undefined>();
  const [menu, setMenu] = useState(false);
  const [mics, setMics] = useState<MediaDeviceInfo[]>([]);
  const [mic, setMic] = useState(() => localStorage.getItem(MIC_KEY) ?? "");
  const stopTalk = () => {
    endTalk.current?.();
    endTalk.current = undefined;
    setTalk(undefined);
    setVideo(false);
    setCamera(undefined);
  };
  useEffect(() => stopTalk, [props.sessionKey]);

  const start = (deviceId: string) => {
    if (recordingBlocker() === "insecure") return props.onProblem(t("chat.voiceInsecure"));
    props.onProblem("");
    setTalk("connecting");
    endTalk.current = () => undefined; // a Stop while connecting ends the call once it exists
    import("./chat-talk.js")
      .then((m) =>
        m.startTalk(
          props.conn,
          props.sessionKey,
          deviceId,
          (s) => endTalk.current && setTalk(s),
          (error) => {
            stopTalk();
            props.onProblem(t("chat.talkFailed", { reason: error }));
          },
        ),
      )
      .then((stop) => {
        if (!endTalk.current) return stop();
        endTalk.current = stop;
        setVideo(!!stop.camera);
      })
      .catch((err) => {
        const asked = !!endTalk.current;
        stopTalk();
        if (!asked) return;
        if ((err as Error).name === "MicUnavailable") {
          return props.onProblem(t("chat.talkMicUnavailable"), {
            label: t("chat.talkMicDefaultOnce"),
            run: () => start(""),
          });
        }
        props.onProblem(
          (err as GatewayError).details?.code === "TALK_NOT_CONFIGURED"
            ? t("chat.talkNoProvider")
            : t("chat.talkFailed", { reason: errorText(err) }),
        );
      });
  };

  const toggleMenu = () => {
    if (!menu) listMicrophones().then(setMics, () => setMics([]));
    setMenu(!menu);
  };
  /** Keeps `deviceId` as Talk's microphone; `talk`: and starts Talk with it (a phone's menu). */
  const choose = (deviceId: string, talk?: boolean) => {
    setMic(deviceId);
    if (deviceId) localStorage.setItem(MIC_KEY, deviceId);
    else localStorage.removeItem(MIC_KEY);
    setMenu(false);
    if (talk) start(deviceId);
  };

  const toggleCamera = () => {
    if (camera) {
      for (const track of camera.getTracks()) track.stop();
      return setCamera(undefined);
    }
    // A stream the call's end already stopped (it ended while the camera opened) is not shown.
    endTalk.current?.camera?.().then(
      (stream) => stream.active && setCamera(stream),
      (err) => props.onProblem(`${t("chat.talkCamera")}: ${errorText(err)}`),
    );
  };

  if (talk) {
    return (
      <>
        {camera && (
          <video
            class="talk-preview"
            autoplay
            muted
            playsInline
            // A property, not an attribute: Preact sets it on the element.
            {...{ srcObject: camera }}
          />
        )}
        {video && (
          <button
            type="button"
            class="ghost icon talk-icon talk-camera"
            id="chat-talk-camera"
            aria-pressed={!!camera}
            aria-label={t("chat.talkCamera")}
            title={t("chat.talkCamera")}
            onClick={toggleCamera}
          />
        )}
        <button
          type="button"
          class="danger talk-live"
          id="chat-talk-stop"
          data-state={talk}
          aria-label={t("chat.talkStop")}
          title={t("chat.talkStop")}
          onClick={stopTalk}
        >
          <span role="status">{t(`chat.talk.${talk}`)}</span>
        </button>
      </>
    );
  }
  if (typeof RTCPeerConnection === "undefined" || recordingBlocker() === "unsupported") return null;
  return (
    <>
      <button
        type="button"
        class="ghost icon talk-icon"
        id="chat-talk"
        aria-label={t("chat.talk")}
        title={t("chat.talk")}
        onClick={() => start(mic)}
      />
      <RowMenu
        label={t("chat.talkMic")}
        glyph="▾"
        class="talk-mic"
        open={menu}
        onToggle={toggleMenu}
        onClose={() => setMenu(false)}
        items={() => [
          // First, Talk itself: on a phone the caret is Talk's only button (phone.css).
          { label: t("chat.talk"), run: () => choose(mic, true) },
          { label: t("chat.talkMicDefault"), checked: !mic, run: () => choose("") },
          ...mics.map((d, i) => ({
            label: d.label || t("chat.talkMicNumber", { n: i + 1 }), // permission refused: no names
            checked: d.deviceId === mic,
            run: () => choose(d.deviceId),
          })),
        ]}
      />
    </>
  );
}
