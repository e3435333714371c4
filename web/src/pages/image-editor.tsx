// Administrators: create or edit an image. The volume mappings are sent as the editor's text
// (so duplicate keys are caught); an invalid document cannot be saved; on a refused save
// every field keeps what was typed and the server's problems appear next to their fields.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import { navigate } from '../router.js';
import type { Group, Image } from '../types.js';
import { useLoad } from '../use-load.js';
import { Field, FormError } from '../components/field.js';
import { MappingEditor, mappingTextValid } from '../components/mapping-editor.js';

/** zones: as typed, comma-separated (empty = any node) */
export interface ImageForm { name: string; friendly_name: string; docker_image: string; enabled: boolean; groups: string[]; volume_mappings: string; zones: string }
const FIELDS = ['name', 'friendly_name', 'docker_image', 'enabled', 'groups', 'volume_mappings', 'zones'];

const zonesOf = (text: string): string[] => text.split(',').map((z) => z.trim()).filter((z) => z !== '');

const formOf = (i: Image | null): ImageForm => ({
  name: i?.name ?? '', friendly_name: i?.friendly_name ?? '', docker_image: i?.docker_image ?? '', enabled: i?.enabled ?? true,
  groups: i?.groups ?? [], volume_mappings: i ? JSON.stringify(i.volume_mappings, null, 2) : '{}', zones: (i?.zones ?? []).join(', '),
});

export function ImageEditorPage({ id }: { id: string | null }) {
  const image = useLoad(() => (id ? api<Image>('GET', `/images/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  const groups = useLoad(() => api<Group[]>('GET', '/groups'), []);
  const [form, setForm] = useState<ImageForm | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [saving, setSaving] = useState(false);
  const [judgedText, setJudgedText] = useState<string | null>(null);
  useEffect(() => {
    if (image.data !== undefined) setForm(formOf(image.data));
  }, [image.data]);
  if (image.error) return <p className="error" role="alert">{image.error}</p>;
  if (!form) return <p className="loading">Loading…</p>;
  const save = async () => {
    setSaving(true);
    setError(null);
    const { friendly_name, zones, ...rest } = form;
    // an empty friendly name on a new image means "the name" (the server's default)
    const body = { ...rest, ...(friendly_name || id ? { friendly_name } : {}), volume_mappings: form.volume_mappings.trim() === '' ? '{}' : form.volume_mappings, zones: zonesOf(zones) };
    try {
      if (id) await api('PATCH', `/images/${encodeURIComponent(id)}`, body);
      else await api('POST', '/images', body);
      navigate('/admin/images');
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
      setJudgedText(form.volume_mappings);
      setSaving(false);
    }
  };
  return <ImageEditorView isNew={!id} form={form} groups={groups.data ?? []} error={error} judgedText={judgedText} saving={saving} onChange={setForm} onSave={save} />;
}

export function ImageEditorView(p: { isNew: boolean; form: ImageForm; groups: Group[]; error: ApiError | string | null; judgedText: string | null; saving: boolean; onChange(f: ImageForm): void; onSave(): void }) {
  const { form, error } = p;
  const set = <K extends keyof ImageForm>(k: K, v: ImageForm[K]) => p.onChange({ ...form, [k]: v });
  const apiError = error instanceof ApiError ? error : null;
  const valid = mappingTextValid(form.volume_mappings);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) p.onSave();
  };
  const inGroup = (g: Group) => form.groups.includes(g.group_id) || form.groups.includes(g.name);
  const toggleGroup = (g: Group) => set('groups', inGroup(g) ? form.groups.filter((x) => x !== g.group_id && x !== g.name) : [...form.groups, g.group_id]);
  const serverMappingProblems = apiError?.forField('volume_mappings') ?? [];
  return (
    <form className="editor card" onSubmit={submit}>
      <h1>{p.isNew ? 'New image' : `Image ${form.name}`}</h1>
      <FormError error={error} fields={FIELDS} />
      <Field label="Name" name="name" error={apiError}><input id="f-name" value={form.name} onChange={(e) => set('name', e.target.value)} required /></Field>
      <Field label="Friendly name" name="friendly_name" error={apiError}><input id="f-friendly_name" value={form.friendly_name} onChange={(e) => set('friendly_name', e.target.value)} /></Field>
      <Field label="Docker image" name="docker_image" error={apiError}><input id="f-docker_image" value={form.docker_image} onChange={(e) => set('docker_image', e.target.value)} placeholder="kasmweb/desktop:1.16.0" required /></Field>
      <Field label="Enabled" name="enabled" error={apiError}><input id="f-enabled" type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /></Field>
      <Field label="Groups allowed to launch (none = everyone)" name="groups" error={apiError}>
        <div className="checks">{p.groups.map((g) => (
          <label key={g.group_id} className="check"><input type="checkbox" checked={inGroup(g)} onChange={() => toggleGroup(g)} />{g.name}</label>
        ))}</div>
      </Field>
      <Field label="Zones (swarm: node label tether.zone, comma-separated; empty = any node)" name="zones" error={apiError}><input id="f-zones" value={form.zones} onChange={(e) => set('zones', e.target.value)} placeholder="zone-a, zone-b" /></Field>
      <Field label="Volume Mappings (JSON)" name="volume_mappings" error={null}>
        <MappingEditor id="f-volume_mappings" value={form.volume_mappings} onChange={(t) => set('volume_mappings', t)} serverProblems={serverMappingProblems} fieldPointer="/volume_mappings" serverText={p.judgedText} />
      </Field>
      <div className="actions">
        <button type="submit" disabled={!valid || p.saving}>{p.saving ? 'Saving…' : 'Save'}</button>
        {!valid && <span className="muted">Fix the volume mappings to save.</span>}
      </div>
    </form>
  );
}
