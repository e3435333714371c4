// Users: the images they may launch. Launch creates the session and opens its page, which
// follows the progress live.
import { useState } from 'react';
import { api, errorText } from '../api.js';
import { navigate } from '../router.js';
import type { Image, Session } from '../types.js';
import { useLoad } from '../use-load.js';

export function LaunchPage() {
  const { data, error } = useLoad(() => api<Image[]>('GET', '/images'), []);
  const [launching, setLaunching] = useState<string | null>(null);
  const [launchError, setLaunchError] = useState<string | null>(null);
  const launch = async (image: Image) => {
    setLaunching(image.image_id);
    setLaunchError(null);
    try {
      const s = await api<Session>('POST', '/sessions', { image: image.image_id });
      navigate(`/sessions/${s.id}`);
    } catch (err) {
      setLaunchError(`${image.friendly_name || image.name}: ${errorText(err)}`);
      setLaunching(null);
    }
  };
  return <LaunchView images={data?.filter((i) => i.enabled)} error={error ?? launchError} launching={launching} onLaunch={launch} />;
}

export function LaunchView(p: { images: Image[] | undefined; error: string | null; launching: string | null; onLaunch(i: Image): void }) {
  return (
    <section>
      <h1>Launch a workspace</h1>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {!p.images ? <p className="loading">Loading…</p> : p.images.length === 0 ? <p className="muted">No workspace is open to you yet.</p> : (
        <div className="tiles">{p.images.map((i) => (
          <div key={i.image_id} className="tile card" data-image={i.name}>
            <h2>{i.friendly_name || i.name}</h2>
            <p className="muted small"><code>{i.docker_image}</code></p>
            <p className="small">{Object.values(i.volume_mappings).length} persistent folder(s)</p>
            <button type="button" disabled={p.launching !== null} onClick={() => p.onLaunch(i)}>{p.launching === i.image_id ? 'Launching…' : 'Launch'}</button>
          </div>
        ))}</div>
      )}
    </section>
  );
}
