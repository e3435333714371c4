// The session's terminal: xterm.js over the terminal WebSocket (src/terminal/protocol.ts).
// Loaded lazily (React.lazy in session-tools.tsx), so xterm's ~100 KB stay out of the
// sign-in and list pages. The sign-in cookie goes with the handshake; the server checks
// the Origin.
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { terminalPath, type ClientControl, type ServerControl } from '../../../src/terminal/protocol.js';

const sendControl = (ws: WebSocket, m: ClientControl) => ws.send(JSON.stringify(m));

export default function TerminalPanel({ sessionId }: { sessionId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('connecting…');
  useEffect(() => {
    if (!host.current) return;
    const term = new Terminal({ cursorBlink: true, fontSize: 14, scrollback: 5000, convertEol: false });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    fit.fit();
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}${terminalPath(sessionId)}?tty=1&cols=${term.cols}&rows=${term.rows}`);
    ws.binaryType = 'arraybuffer';
    const encoder = new TextEncoder();
    const sendResize = () => {
      if (ws.readyState === WebSocket.OPEN) sendControl(ws, { type: 'resize', cols: term.cols, rows: term.rows });
    };
    ws.onopen = () => {
      setStatus('connected');
      sendResize();
      term.focus();
    };
    ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
      if (typeof e.data !== 'string') return term.write(new Uint8Array(e.data));
      const m = JSON.parse(e.data) as ServerControl;
      if (m.type === 'exit') setStatus(`shell exited (code ${m.code ?? '?'})`);
      else if (m.type === 'error') setStatus(m.message || 'error');
    };
    ws.onclose = (e) => setStatus((s) => (s.startsWith('shell exited') ? s : `disconnected${e.reason ? `: ${e.reason}` : ''} (reload the panel to reconnect)`));
    const input = term.onData((d) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(encoder.encode(d));
    });
    const resized = term.onResize(sendResize);
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current);
    return () => {
      observer.disconnect();
      input.dispose();
      resized.dispose();
      ws.close();
      term.dispose();
    };
  }, [sessionId]);
  return (
    <div className="card terminal">
      <h2>Terminal <span className="muted small" data-testid="terminal-status">{status}</span></h2>
      <div ref={host} className="terminal-host" data-testid="terminal" style={{ height: 360, background: '#000', padding: 4 }} />
    </div>
  );
}
