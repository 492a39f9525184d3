/** @type {import('next').NextConfig} */
const nextConfig = {
  // A separate build directory lets several development servers share one checkout.
  distDir: process.env.OPTARE_NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  productionBrowserSourceMaps: false,
  reactStrictMode: true,
  serverExternalPackages: ['@node-rs/argon2', 'pino', 'pg', '@prisma/adapter-pg', '@electric-sql/pglite', '@electric-sql/pglite-socket'],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
