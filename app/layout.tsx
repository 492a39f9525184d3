import type { Metadata } from 'next';
import { connection } from 'next/server';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Optare', template: '%s · Optare' },
  description: 'Optare identity provider',
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request so that Next.js can put this request's CSP nonce on
  // its scripts (proxy.ts sets it); a prerendered page would carry no nonce and be blocked.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
