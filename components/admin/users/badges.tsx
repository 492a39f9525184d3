/** Small labels of the user pages. Server components. */

const BADGE = 'inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset';

export function StatusBadge({ status }: { status: 'active' | 'disabled' }) {
  return status === 'disabled' ? (
    <span className={`${BADGE} bg-red-50 text-red-800 ring-red-200`}>Disabled</span>
  ) : (
    <span className={`${BADGE} bg-emerald-50 text-emerald-800 ring-emerald-200`}>Active</span>
  );
}

export function AdminBadge() {
  return <span className={`${BADGE} bg-indigo-50 text-brand-700 ring-indigo-200`}>Administrator</span>;
}

export function YesNo({ value, yes = 'Yes', no = 'No' }: { value: boolean; yes?: string; no?: string }) {
  return value ? <span className="text-emerald-800">{yes}</span> : <span className="text-slate-600">{no}</span>;
}
