/** @type {import('next').NextConfig} */
const nextConfig = {
  // A separate build directory lets several development servers share one checkout.
  distDir: process.env.OPTARE_NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  productionBrowserSourceMaps: false,
  reactStrictMode: true,
  serverExternalPackages: ['@node-rs/argon2', 'pino', 'pg', '@prisma/adapter-pg', '@electric-sql/pglite', '@electric-sql/pglite-socket'],
  // OPTARE_SKIP_TYPECHECK=1: a quick build while `npm run typecheck` runs on its own (never in CI).
  typescript: { ignoreBuildErrors: process.env.OPTARE_SKIP_TYPECHECK === '1' },
  // No source maps for the production server: Node's source-map support (on for tsx) reads and
  // keeps every chunk's map, about 50 MB of memory (docs/decisions.md, "Where Optare's memory goes").
  experimental: { turbopackSourceMaps: process.env.NODE_ENV !== 'production' },
};

export default nextConfig;
