import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { errorText } from "../../components/toast";
import { call } from "../../lib/bridge";
import { meterWidth } from "../../lib/format";
import { useEvents } from "../../lib/use-events";

/** The first run, once: the microphone chosen with its level moving as you speak, whether the computer's sound
 * (a call's other side) is recorded too and what that means, and where everything is kept. `onDone` after the
 * choices are saved. */
export function FirstRun({ onDone }: { onDone: () => void }) {
  const devices = useQuery({ queryKey: ["devices"], queryFn: () => call("devices.list") });
  const info = useQuery({ queryKey: ["app-info"], queryFn: () => call("app.info") });
  const [mic, setMic] = useState("default");
  const [system, setSystem] = useState(false);
  const [level, setLevel] = useState(-120);
  const [heard, setHeard] = useState(false);
  const [error, setError] = useState("");
  const [saving, setSaving] = useState(false);

  useEffect(() => { // the meter: the backend publishes the level while asked, every 20 s
    let on = true;
    const ask = () => call("devices.watch_level", { mic }).then(() => { if (on) setError(""); }, (e: unknown) => { if (on) setError(errorText(e)); });
    void ask();
    const timer = window.setInterval(() => void ask(), 20_000);
    return () => { on = false; window.clearInterval(timer); void call("devices.stop_level").catch(() => {}); };
  }, [mic]);
  useEvents(useCallback((e) => {
    if (e.type === "mic_level") { setLevel(e.peak); if (e.peak > -45) setHeard(true); }
  }, []));

  const finish = async () => {
    setSaving(true);
    try {
      await call("settings.set", { name: "recording.mic", value: mic });
      await call("settings.set", { name: "recording.system", value: system ? "default" : "" });
      await call("settings.set", { name: "app.welcomed", value: true });
      onDone();
    } catch (e) {
      setError(errorText(e));
      setSaving(false);
    }
  };
  const inputs = (devices.data ?? []).filter((d) => !d.is_monitor);
  return (
    <main className="first-run" aria-labelledby="welcome">
      <h1 id="welcome">Welcome to AIWisper</h1>
      <p className="lead">It records your meetings and writes what was said, who said it and the notes, on this computer.</p>
      <section aria-labelledby="step-mic">
        <h2 id="step-mic">1. Your microphone</h2>
        <label htmlFor="first-mic">Microphone</label>
        <select id="first-mic" value={mic} onChange={(e) => { setMic(e.target.value); setHeard(false); }}>
          <option value="default">The system's default microphone</option>
          {inputs.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
        </select>
        <div className="level" role="meter" aria-label="Microphone level" aria-valuemin={-60} aria-valuemax={0} aria-valuenow={Math.max(-60, Math.round(level))}
          aria-valuetext={`${Math.round(level)} dB`} data-testid="first-run-level">
          <div className="bar"><div style={{ width: `${meterWidth(level)}%` }} /></div>
        </div>
        <p className="muted" aria-live="polite">{error ? "" : heard ? "We hear you." : "Say something: the bar should move."}</p>
        {error && <p className="banner error" role="alert">{error}</p>}
      </section>
      <section aria-labelledby="step-system">
        <h2 id="step-system">2. The other side of a call</h2>
        <fieldset>
          <legend className="muted">In a video call, the others are heard through your computer, not your microphone.</legend>
          <label className="choice"><input type="radio" name="system" checked={!system} onChange={() => setSystem(false)} /> Only my microphone</label>
          <label className="choice"><input type="radio" name="system" checked={system} onChange={() => setSystem(true)} /> My microphone and the computer's sound</label>
        </fieldset>
        {system && <p className="muted">Everything your computer plays is recorded with you, the call and any other sound. Tell the people in the call that you record it.</p>}
      </section>
      <section aria-labelledby="step-data">
        <h2 id="step-data">3. Your data stays here</h2>
        <p>Audio, transcripts, notes and voices are kept in <code>{info.data?.data_dir ?? "…"}</code>. The speech and notes
          models run on this computer: nothing is sent anywhere. You can change all of this in Settings.</p>
      </section>
      <button className="primary big" onClick={() => void finish()} disabled={saving}>Start using AIWisper</button>
    </main>
  );
}
