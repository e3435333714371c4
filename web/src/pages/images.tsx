// Administrators: every image, with enable/disable.
import { useState } from 'react';
import { api, errorText } from '../api.js';
import { Link } from '../router.js';
import type { Image } from '../types.js';
import { useLoad } from '../use-load.js';

export function ImagesPage() {
  const { data, error, reload } = useLoad(() => api<Image[]>('GET', '/images'), []);
  const [actionError, setActionError] = useState<string | null>(null);
  const setEnabled = async (image: Image, enabled: boolean) => {
    setActionError(null);
    try {
      await api('PATCH', `/images/${image.image_id}`, { enabled });
    } catch (err) {
      setActionError(`${image.name}: ${errorText(err)}`);
    }
    reload();
  };
  return <ImagesView images={data} error={error ?? actionError} onSetEnabled={setEnabled} />;
}

export function ImagesView({ images, error, onSetEnabled }: { images: Image[] | undefined; error: string | null; onSetEnabled(i: Image, enabled: boolean): void }) {
  return (
    <section>
      <div className="title-row"><h1>Images</h1><Link to="/admin/images/new" className="button">New image</Link></div>
      {error && <p className="error" role="alert">{error}</p>}
      {!images ? <p className="loading">Loading…</p> : images.length === 0 ? <p className="muted">No images yet.</p> : (
        <table className="images-table">
          <thead><tr><th>Name</th><th>Docker image</th><th>Volume mappings</th><th>Status</th><th /></tr></thead>
          <tbody>
            {images.map((i) => (
              <tr key={i.image_id} className={i.enabled ? undefined : 'disabled'}>
                <td><Link to={`/admin/images/${i.image_id}`}>{i.friendly_name || i.name}</Link><div className="muted small">{i.name}</div></td>
                <td><code>{i.docker_image}</code></td>
                <td>{Object.keys(i.volume_mappings).map((k) => <div key={k}><code>{k}</code></div>)}</td>
                <td>{i.enabled ? 'enabled' : 'disabled'}</td>
                <td><button type="button" className="secondary" onClick={() => onSetEnabled(i, !i.enabled)}>{i.enabled ? 'Disable' : 'Enable'}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
