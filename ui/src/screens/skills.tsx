import { useEffect, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";

interface Skill {
  name: string;
  description: string;
  source: string;
  filePath: string;
  eligible: boolean;
  disabled: boolean;
  emoji?: string;
  missing: Record<string, string[]>;
}

interface Report {
  skills: Skill[];
  problems: { filePath: string; error: string }[];
}

/** skills.status as a table: which skills the model is offered, and why the others are not. */
export function SkillsScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const [report, setReport] = useState<Report | undefined>();
  const [error, setError] = useState("");
  const load = () =>
    conn
      .request<Report>("skills.status", {})
      .then((r) => {
        setReport(r);
        setError("");
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
  }, [conn]);

  const why = (s: Skill) =>
    s.disabled
      ? t("skills.disabled")
      : Object.entries(s.missing)
          .filter(([, list]) => list.length > 0)
          .map(([kind, list]) => t("skills.missing", { kind, items: list.join(", ") }))
          .join("; ");

  return (
    <section>
      <h1>{t("nav.skills")}</h1>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      <button type="button" onClick={() => void load()}>
        {t("common.refresh")}
      </button>
      {report && report.skills.length === 0 && <p>{t("skills.none")}</p>}
      {report && report.skills.length > 0 && (
        <table id="skills-table">
          <thead>
            <tr>
              <th>{t("skills.name")}</th>
              <th>{t("skills.description")}</th>
              <th>{t("skills.source")}</th>
              <th>{t("skills.state")}</th>
            </tr>
          </thead>
          <tbody>
            {report.skills.map((s) => (
              <tr key={s.name} title={s.filePath}>
                <td>
                  {s.emoji ? `${s.emoji} ` : ""}
                  {s.name}
                </td>
                <td>{s.description}</td>
                <td>{s.source}</td>
                <td>{s.eligible ? t("skills.eligible") : why(s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report?.problems.map((p) => (
        <p class="banner warn" key={p.filePath}>
          {t("skills.skipped", { file: p.filePath, error: p.error })}
        </p>
      ))}
    </section>
  );
}
