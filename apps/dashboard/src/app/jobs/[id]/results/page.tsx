import type { Metadata } from 'next';
import { ResultsView } from '@/components/ResultsView';

export const metadata: Metadata = { title: 'Results' };

function one(v: string | string[] | undefined): string | null {
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s : null;
}

export default async function ResultsPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const sp = await searchParams;
  return <ResultsView jobId={decodeURIComponent(id)} initial={{ label: one(sp.label), errorCode: one(sp.errorCode) }} />;
}
