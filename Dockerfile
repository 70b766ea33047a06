# Multi-stage build of the CognitionOS server (not built here: no Docker engine on the dev machines).
# Node 24 LTS (supported until 2028-04-30): Node 20, what the development machines and CI run, reached
# its end of life on 2026-04-30. The code runs on both: CI runs the whole suite on Node 20 and the
# unit, integration and server e2e suites on Node 24 (README, "Runtime").
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json .swcrc ./
COPY src ./src
COPY migrations ./migrations
# The dashboard (served at /ui from dist/ui): its sources, the typed client it bundles, its build scripts.
COPY ui ./ui
COPY clients/typescript/src ./clients/typescript/src
COPY scripts/build-ui.js scripts/check-ui-bundle.js ./scripts/
RUN npm run build

# Production node_modules. The framework packages are peerDependencies (an app that embeds us brings
# its own) and devDependencies (for our build), so `npm prune --omit=dev` would drop them: here they
# become dependencies, at the versions of the lockfile, and nothing of devDependencies is installed.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN node -e "const fs=require('fs');const p=require('./package.json');p.dependencies={...p.dependencies,...p.peerDependencies};delete p.peerDependencies;delete p.devDependencies;fs.writeFileSync('package.json',JSON.stringify(p))" \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
# Migrations: `docker compose run --rm app node dist/src/cli.js migration:run`
# A larger young generation: the API allocates per request and a 16 MB semi-space promotes
# in-flight requests' objects to the old generation (npm start runs with the same flag; docs/benchmarks.md).
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
