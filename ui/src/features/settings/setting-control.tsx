import { useEffect, useState } from "react";
import { type Device, LANGUAGE_NAMES, LANGUAGES, type ModelInfo, type SettingInfo } from "../../lib/api-types";

type SettingValue = string | number | boolean;

const MODEL_SETTINGS: Record<string, string> = {
  "transcription.model": "Chosen for this computer and language",
  "transcription.second_pass_model": "Off",
};

function step(s: SettingInfo): number {
  if (typeof s.default === "number" && !Number.isInteger(s.default)) return (s.maximum ?? 1) - (s.minimum ?? 0) > 20 ? 0.5 : 0.05;
  return s.unit === "ms" ? 50 : 1;
}

/** One setting with the control its kind calls for: a switch, a choice, a slider with its unit, or a text box.
 * A change is saved when it is let go of (the slider released, the box left). */
export function SettingControl({ s, models, devices, onSave }: {
  s: SettingInfo; models: ModelInfo[]; devices: Device[]; onSave: (value: SettingValue) => void;
}) {
  const [draft, setDraft] = useState(s.value);
  useEffect(() => setDraft(s.value), [s.value]);
  const id = `setting-${s.name}`;
  const label = <label htmlFor={id} className="label">{s.label}</label>;
  const help = <p className="help" id={`${id}-help`}>{s.help}</p>;
  let control;
  if (typeof s.value === "boolean") {
    control = <input id={id} type="checkbox" role="switch" className="switch" checked={s.value} aria-describedby={`${id}-help`}
      onChange={(e) => onSave(e.target.checked)} />;
  } else if (s.name in MODEL_SETTINGS) {
    control = (
      <select id={id} value={String(s.value)} aria-describedby={`${id}-help`} onChange={(e) => onSave(e.target.value)}>
        <option value="">{MODEL_SETTINGS[s.name]}</option>
        {models.map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
      </select>
    );
  } else if (s.name === "recording.mic" || s.name === "recording.system") {
    const system = s.name === "recording.system";
    control = (
      <select id={id} value={String(s.value)} aria-describedby={`${id}-help`} onChange={(e) => onSave(e.target.value)}>
        {system ? <><option value="">Off: only the microphone</option><option value="default">The computer's sound (default output)</option></>
          : <option value="default">The system's default microphone</option>}
        {devices.filter((d) => d.is_monitor === system).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
        {!system && <option value="">No microphone</option>}
      </select>
    );
  } else if (s.name === "transcription.language") {
    control = (
      <select id={id} value={String(s.value)} aria-describedby={`${id}-help`} onChange={(e) => onSave(e.target.value)}>
        <option value="auto">Detect it in each meeting</option>
        {[...LANGUAGES].sort((a, b) => LANGUAGE_NAMES[a].localeCompare(LANGUAGE_NAMES[b])).map((l) => <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>)}
      </select>
    );
  } else if (s.choices.length) {
    control = (
      <select id={id} value={String(s.value)} aria-describedby={`${id}-help`} onChange={(e) => onSave(e.target.value)}>
        {s.choices.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    );
  } else if (typeof s.value === "number" && s.minimum !== null && s.maximum !== null && s.maximum - s.minimum <= 10_000) {
    const commit = () => { if (draft !== s.value) onSave(Number(draft)); };
    control = (
      <span className="slider">
        <input id={id} type="range" min={s.minimum} max={s.maximum} step={step(s)} value={Number(draft)} aria-describedby={`${id}-help`}
          aria-valuetext={`${String(draft)} ${s.unit}`.trim()} onChange={(e) => setDraft(Number(e.target.value))}
          onPointerUp={commit} onKeyUp={commit} onBlur={commit} />
        <output htmlFor={id}>{String(draft)}{s.unit ? ` ${s.unit}` : ""}</output>
      </span>
    );
  } else if (typeof s.value === "number") {
    control = (
      <span className="slider">
        <input id={id} type="number" value={String(draft)} step="any" min={s.minimum ?? undefined} max={s.maximum ?? undefined}
          aria-describedby={`${id}-help`} onChange={(e) => setDraft(Number(e.target.value))} onBlur={() => { if (draft !== s.value) onSave(Number(draft)); }} />
        {s.unit && <span className="muted">{s.unit}</span>}
      </span>
    );
  } else {
    control = <input id={id} className="text" value={String(draft)} aria-describedby={`${id}-help`} onChange={(e) => setDraft(e.target.value)}
      onBlur={() => { if (draft !== s.value) onSave(String(draft)); }} />;
  }
  return <div className="setting" data-setting={s.name}>{label}{control}{help}</div>;
}
