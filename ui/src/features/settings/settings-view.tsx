import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorText, useToast } from "../../components/toast";
import type { SettingInfo } from "../../lib/api-types";
import { call } from "../../lib/bridge";
import { bytes } from "../../lib/format";
import { goodFor } from "../../lib/models";
import { SettingControl } from "./setting-control";

const GROUPS = ["Recording", "Transcription", "Speakers", "Notes", "Storage & privacy"] as const;

/** Settings in words, grouped as a person thinks of them; the details of speech detection and decoding under
 * "Advanced" in each group; the models by what they are good for; where the data is kept. */
export function SettingsView() {
  const toast = useToast();
  const queries = useQueryClient();
  const models = useQuery({ queryKey: ["models"], queryFn: () => call("models.list") });
  const settings = useQuery({ queryKey: ["settings"], queryFn: () => call("settings.get") });
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => call("app.info") });
  const devices = useQuery({ queryKey: ["devices"], queryFn: () => call("devices.list") });
  const [path, setPath] = useState("");
  const done = () => void queries.invalidateQueries();
  const setDefault = useMutation({ mutationFn: (name: string) => call("models.set_default", { name }), onSuccess: done, onError: (e) => toast(errorText(e)) });
  const importModel = useMutation({
    // a GGUF file is a language model for summaries; anything else a Whisper model
    mutationFn: async () => path.trim().toLowerCase().endsWith(".gguf")
      ? `Summaries now use ${String((await call("summaries.import_model", { path: path.trim() })).value)}.`
      : `Imported ${(await call("models.import", { path: path.trim() })).name}.`,
    onSuccess: (message) => { setPath(""); toast(message); done(); }, onError: (e) => toast(errorText(e)),
  });
  const set = useMutation({
    mutationFn: (p: { name: string; value: string | number | boolean }) => call("settings.set", p),
    onSuccess: done, onError: (e) => { toast(errorText(e)); done(); },
  });
  const all = settings.data ?? [];
  const control = (s: SettingInfo) => <SettingControl key={s.name} s={s} models={models.data ?? []} devices={devices.data ?? []} onSave={(value) => set.mutate({ name: s.name, value })} />;
  return (
    <section className="page settings-page">
      <header className="page-head"><h1>Settings</h1></header>
      {GROUPS.map((group) => {
        const mine = all.filter((s) => s.group === group);
        const plain = mine.filter((s) => !s.advanced);
        const advanced = mine.filter((s) => s.advanced);
        return (
          <section key={group} className="group" aria-labelledby={`group-${group}`}>
            <h2 id={`group-${group}`}>{group}</h2>
            {group === "Storage & privacy" && (
              <div className="privacy">
                <p>Everything stays on this computer: the audio, transcripts, notes and voices are kept in <code>{info.data?.data_dir ?? "…"}</code>,
                  and the speech and notes models run here, without a network. Only a notes server set below, if you set one, is sent a transcript.</p>
                <dl className="about" aria-label="About AIWisper">
                  <dt>Version</dt><dd data-testid="app-version">{info.data ? `AIWisper ${info.data.version}` : "…"}</dd>
                  <dt>Data folder</dt><dd>{info.data?.data_dir ?? "…"}</dd>
                  <dt>Log file</dt><dd>{info.data?.log_file ?? "…"}</dd>
                </dl>
              </div>
            )}
            {group === "Transcription" && (
              <div className="model-list">
                <h3>Speech models</h3>
                <ul className="models">
                  {(models.data ?? []).map((m) => (
                    <li key={m.name}>
                      <div><strong>{m.name}</strong> <span className="muted">{bytes(m.bytes)}</span></div>
                      <div className="muted">{goodFor(m)}</div>
                      {m.default ? <span className="status">Default</span> : <button className="ghost" onClick={() => setDefault.mutate(m.name)} aria-label={`Make ${m.name} the default`}>Make default</button>}
                    </li>
                  ))}
                </ul>
                <form className="inline" onSubmit={(e) => { e.preventDefault(); importModel.mutate(); }}>
                  <input placeholder="Path to a ggml .bin, a faster-whisper folder or a GGUF language model" aria-label="Model path" value={path} onChange={(e) => setPath(e.target.value)} />
                  <button disabled={!path}>Import model</button>
                </form>
              </div>
            )}
            <div className="settings">{plain.map(control)}</div>
            {advanced.length > 0 && (
              <details className="advanced">
                <summary>Advanced</summary>
                <div className="settings">{advanced.map(control)}</div>
              </details>
            )}
          </section>
        );
      })}
    </section>
  );
}
