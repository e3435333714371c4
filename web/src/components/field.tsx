// A labelled form field with the server's problems for it shown right under it.
import type { ReactNode } from 'react';
import type { ApiError } from '../api.js';

export function Field({ label, name, error, children }: { label: string; name: string; error: ApiError | null; children: ReactNode }) {
  const problems = error?.forField(name) ?? [];
  return (
    <div className={`field${problems.length ? ' invalid' : ''}`} data-field={name}>
      <label htmlFor={`f-${name}`}>{label}</label>
      {children}
      {problems.map((p, i) => <p key={i} className="field-error" role="alert">{p.detail}</p>)}
    </div>
  );
}

/** The part of a refused save that no field claims (shown at the top of the form). */
export function FormError({ error, fields }: { error: ApiError | string | null; fields: string[] }) {
  if (!error) return null;
  if (typeof error === 'string') return <p className="error" role="alert">{error}</p>;
  const unclaimed = error.validations.filter((v) => !fields.some((f) => v.field === f || v.field.startsWith(`${f}.`)));
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>{error.detail ? `: ${error.detail}` : ''}
      {unclaimed.map((v, i) => <div key={i}>{v.field}: {v.detail}</div>)}
    </div>
  );
}
