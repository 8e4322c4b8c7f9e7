import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="panel empty">
      Nothing here. <Link href="/">All jobs</Link>
    </div>
  );
}
