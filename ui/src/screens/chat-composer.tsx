import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { randomId } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import {
  type AttachmentPolicy,
  formatSize,
  kindOf,
  type Outgoing,
  readDataUrl,
  refusal,
  shrinkImage,
} from "./chat-files.js";
import { ModelPicker, type SessionModel } from "./chat-model-picker.js";
import { type ProblemAction, TalkControls } from "./chat-talk-controls.js";
import { recordingBlocker, useRecorder } from "./chat-voice.js";

/** What the composer may attach, once per connection; none until the gateway says (an older one takes images only). */
function usePolicy(conn: GatewayConnection): AttachmentPolicy | undefined {
  const [policy, setPolicy] = useState<AttachmentPolicy | undefined>();
  useEffect(() => {
    conn
      .request<{ attachments?: AttachmentPolicy }>("chat.metadata", {})
      .then((res) => setPolicy(res.attachments))
      .catch(() => setPolicy(undefined));
  }, [conn]);
  return policy;
}

/** A microphone (an icon, not an emoji: not every system has an emoji font). */
export const Mic = () => (
  <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
    <path
      d="M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
    />
  </svg>
);

export interface ComposerProps {
  conn: GatewayConnection;
  sessionKey: string;
  sessionModel: SessionModel;
  running: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  onSend: (message: string, files: Outgoing[]) => void;
  onStop: () => void;
  /** Replaces the draft (a message taken back by Edit) and focuses the box. */
  prefill?: { text: string } | undefined;
}

/**
 * The message box with its files (picked, pasted or dropped; previews with remove;
 * the gateway's limits checked before sending), a voice recorder and the session's
 * model and Fast mode. Sending waits for such a change still being saved.
 */
export function Composer(props: ComposerProps) {
  const { t } = useI18n();
  const policy = usePolicy(props.conn);
  const [draft, setDraft] = useState("");
  const [files, setFiles] = useState<Outgoing[]>([]);
  const [problem, showProblem] = useState<{ text: string; action?: ProblemAction | undefined }>();
  const setProblem = (text: string, action?: ProblemAction) =>
    showProblem(text ? { text, action } : undefined);
  const [dragging, setDragging] = useState(false);
  const filesRef = useRef(files);
  filesRef.current = files;
  const form = useRef<HTMLFormElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const modelSaved = useRef<Promise<unknown>>(Promise.resolve());
  useEffect(() => {
    if (!props.prefill) return;
    setDraft(props.prefill.text);
    props.inputRef.current?.focus();
  }, [props.prefill, props.inputRef]);

  const add = async (blobs: { blob: Blob; name: string; durationMs?: number }[]) => {
    if (!policy) return;
    setProblem("");
    for (const picked of blobs) {
      const { durationMs } = picked;
      const kind = kindOf(policy, picked.blob.type, picked.name);
      // A phone's photo (3–12 MB) is scaled down before the limits are checked, not refused.
      const { blob, name } =
        kind === "image" && policy.imageTypes.includes("image/jpeg")
          ? await shrinkImage(picked.blob, picked.name, policy.maxBytes)
          : picked;
      const why = refusal(policy, filesRef.current, { name, size: blob.size, kind });
      if (why) {
        setProblem(t(why.key, why.vars));
        continue;
      }
      const f: Outgoing = {
        id: randomId(),
        name,
        kind,
        mimeType: blob.type || (kind === "text" ? "text/plain" : ""),
        size: blob.size,
        content: await readDataUrl(blob),
        ...(durationMs !== undefined ? { durationMs } : {}),
      };
      filesRef.current = [...filesRef.current, f];
      setFiles(filesRef.current);
    }
  };
  const addFiles = (list: FileList | null | undefined) =>
    void add([...(list ?? [])].map((file) => ({ blob: file, name: file.name }))).catch((err) =>
      setProblem(errorText(err)),
    );
  const remove = (id: string) => setFiles((list) => list.filter((f) => f.id !== id));

  const voice = useRecorder((blob, durationMs) => {
    const name = `voice-${new Date().toISOString().slice(11, 19).replaceAll(":", "")}.${blob.type.includes("ogg") ? "ogg" : "webm"}`;
    void add([{ blob, name, durationMs }]);
  });
  const record = () => {
    if (recordingBlocker() === "insecure") return setProblem(t("chat.voiceInsecure"));
    if (policy && !policy.audio.transcription) {
      return setProblem(t("chat.voiceNoProvider", { reason: policy.audio.reason ?? "" }));
    }
    setProblem("");
    voice.start().catch((err) => setProblem(errorText(err)));
  };

  // Files dropped anywhere on the conversation, not only on the box.
  useEffect(() => {
    const area = form.current?.closest(".chat-main");
    if (!area) return;
    const over = (e: Event) => {
      const d = e as DragEvent;
      if (!d.dataTransfer?.types.includes("Files")) return;
      d.preventDefault();
      setDragging(true);
    };
    const leave = (e: Event) => {
      if (!area.contains((e as DragEvent).relatedTarget as Node | null)) setDragging(false);
    };
    const drop = (e: Event) => {
      const d = e as DragEvent;
      setDragging(false);
      if (!d.dataTransfer?.files.length) return;
      d.preventDefault();
      addFiles(d.dataTransfer.files);
    };
    area.addEventListener("dragover", over);
    area.addEventListener("dragleave", leave);
    area.addEventListener("drop", drop);
    return () => {
      area.removeEventListener("dragover", over);
      area.removeEventListener("dragleave", leave);
      area.removeEventListener("drop", drop);
    };
  });

  const canSend = !!draft.trim() || files.length > 0;
  const send = async (e?: Event) => {
    e?.preventDefault();
    if (!canSend || voice.recording) return;
    const message = draft.trim();
    const sent = files;
    setDraft("");
    setFiles([]);
    setProblem("");
    await modelSaved.current;
    props.onSend(message, sent);
  };
  const total = files.reduce((n, f) => n + f.size, 0);

  return (
    <form class={`composer${dragging ? " dragging" : ""}`} id="chat-form" ref={form} onSubmit={send}>
      {files.length > 0 && (
        <ul class="attachments" id="attachments">
          {files.map((f) => (
            <li key={f.id} class={`attachment-chip ${f.kind}`} data-kind={f.kind}>
              {f.kind === "image" ? <img src={f.content} alt="" /> : f.kind === "audio" && <Mic />}
              <span class="chip-name">{f.name}</span>
              <span class="muted small chip-size">{formatSize(f.size)}</span>
              <button
                type="button"
                class="ghost chip-remove"
                aria-label={t("chat.fileRemove", { name: f.name })}
                title={t("chat.fileRemove", { name: f.name })}
                onClick={() => remove(f.id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {files.length > 0 && policy && (
        <p class="muted small" id="attachments-total">
          {formatSize(total)} / {formatSize(policy.maxBytes)}
        </p>
      )}
      {problem && (
        <p class="banner error small" id="composer-error" role="alert">
          {problem.text}
          {problem.action && (
            <button
              type="button"
              class="secondary"
              id="composer-error-action"
              onClick={() => {
                setProblem("");
                problem.action?.run();
              }}
            >
              {problem.action.label}
            </button>
          )}
        </p>
      )}
      <textarea
        id="chat-input"
        ref={props.inputRef}
        rows={2}
        placeholder={t("chat.placeholder")}
        value={draft}
        onInput={(e) => setDraft((e.currentTarget as HTMLTextAreaElement).value)}
        onPaste={(e) => {
          // A pasted screenshot or file becomes an attachment; pasted text stays text.
          if (!e.clipboardData?.files.length) return;
          e.preventDefault();
          addFiles(e.clipboardData.files);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) void send(e);
        }}
      />
      <div class="composer-bar">
        {policy && (
          <>
            <button
              type="button"
              class="ghost icon"
              id="chat-attach"
              aria-label={t("chat.attach", { max: formatSize(policy.maxBytes) })}
              title={t("chat.attach", { max: formatSize(policy.maxBytes) })}
              onClick={() => picker.current?.click()}
            >
              +
            </button>
            <input
              type="file"
              id="chat-file"
              ref={picker}
              class="offscreen"
              tabIndex={-1}
              multiple
              onChange={(e) => {
                const input = e.currentTarget as HTMLInputElement;
                addFiles(input.files);
                input.value = "";
              }}
            />
          </>
        )}
        {voice.recording ? (
          <span class="recording" role="status">
            <button type="button" class="danger" id="chat-voice-stop" onClick={voice.stop}>
              ■ {Math.floor(voice.seconds / 60)}:{String(voice.seconds % 60).padStart(2, "0")}
            </button>
            <button
              type="button"
              class="ghost icon"
              id="chat-voice-cancel"
              aria-label={t("chat.voiceCancel")}
              title={t("chat.voiceCancel")}
              onClick={voice.cancel}
            >
              ×
            </button>
          </span>
        ) : (
          policy &&
          recordingBlocker() !== "unsupported" && (
            <button
              type="button"
              class="ghost icon"
              id="chat-voice"
              aria-label={t("chat.voice")}
              title={t("chat.voice")}
              onClick={record}
            >
              <Mic />
            </button>
          )
        )}
        <TalkControls conn={props.conn} sessionKey={props.sessionKey} onProblem={setProblem} />
        <ModelPicker
          conn={props.conn}
          sessionKey={props.sessionKey}
          current={props.sessionModel}
          onSaving={(saved) => {
            // A model and a Fast-mode change may both be saving: the next message waits for each.
            modelSaved.current = Promise.all([modelSaved.current, saved]);
          }}
          onError={setProblem}
        />
        <span class="composer-actions">
          {props.running && (
            <button
              type="button"
              class="danger"
              id="chat-stop"
              onClick={props.onStop}
              title={t("chat.stopKey")}
            >
              {t("chat.stop")}
            </button>
          )}
          <button
            type="submit"
            id="chat-send"
            title={t("chat.sendButton")}
            disabled={!canSend || voice.recording}
          >
            {t("chat.sendButton")}
          </button>
        </span>
      </div>
    </form>
  );
}
