# Build stage: compile TypeScript, then keep production dependencies only.
FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# Dependencies' install scripts stay off; Dockhand's own postinstall applies patches/ (see docs/architecture.md).
RUN npm ci --no-audit --no-fund --ignore-scripts && npm run postinstall
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: Node 26 (active LTS), non-root, JSON logs, listening on all interfaces. The app's files
# belong to root and are read-only to the user it runs as; only .env, where the first-time setup flow
# writes the registered app's id, key and secret, is the app's to write.
FROM node:26-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json app.yml ./
RUN install -o node -g node -m 600 /dev/null .env
USER node
EXPOSE 3000
# /ping answers in both modes: the app, and the setup flow (no APP_ID yet).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/ping`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
