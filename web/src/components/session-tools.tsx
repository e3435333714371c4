// A running session's ways in: the terminal (xterm.js, loaded only when opened) and
// "Open app", the image's web app on its own origin (an entry link valid 60 s, once). An
// image whose web port is 6901 (Kasm's and tether/desktop's noVNC port) is a desktop: the
// button says "Open desktop" and opens noVNC the same way.
import { lazy, Suspense, useState } from 'react';
import { api, errorText } from '../api.js';
import type { AppEntry } from '../../../src/api/wire/index.js';

const TerminalPanel = lazy(() => import('./terminal-panel.js'));

/** the web port of VNC desktops streamed with noVNC (Kasm's images, tether/desktop) */
const DESKTOP_WEB_PORT = 6901;

export function SessionTools({ sessionId, webPort }: { sessionId: string; webPort?: number | null }) {
  const [terminal, setTerminal] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const openApp = async () => {
    setError(null);
    // opened now, within the click, so no popup blocker stops it; navigated once the link exists
    const win = window.open('about:blank', '_blank');
    try {
      const { url } = await api<AppEntry>('POST', `/sessions/${encodeURIComponent(sessionId)}/app-token`);
      if (!win) return void (window.location.href = url);
      win.opener = null; // the workspace's page must not reach back into Tether's window
      win.location.href = url;
    } catch (err) {
      win?.close();
      setError(errorText(err));
    }
  };
  return (
    <>
      <div className="actions">
        <button type="button" onClick={() => setTerminal((t) => !t)}>{terminal ? 'Close terminal' : 'Terminal'}</button>
        <button type="button" onClick={() => void openApp()}>{webPort === DESKTOP_WEB_PORT ? 'Open desktop' : 'Open app'}</button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {terminal && (
        <Suspense fallback={<p className="loading">Loading the terminal…</p>}>
          <TerminalPanel sessionId={sessionId} />
        </Suspense>
      )}
    </>
  );
}
