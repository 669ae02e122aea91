# One image for the server, the agent and the fleet simulator (the commands differ). Built and started in CI by
# scripts/docker-image.int.test.ts (with `docker build` where an engine runs; otherwise by replaying these steps).

# Build: every workspace compiled and bundled; the tests are not type-checked here (they read bench/ and test/).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund && npm run build:packages

# Run: production dependencies only, and what each package ships (its package.json "files").
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/agent/package.json packages/agent/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/fleet-sim/package.json packages/fleet-sim/
COPY packages/dashboard/package.json packages/dashboard/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/agent/dist packages/agent/dist
COPY --from=build /app/packages/agent/bundle packages/agent/bundle
COPY --from=build /app/packages/agent/bin packages/agent/bin
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/server/bin packages/server/bin
COPY --from=build /app/packages/cli/dist packages/cli/dist
COPY --from=build /app/packages/cli/bin packages/cli/bin
COPY --from=build /app/packages/fleet-sim/dist packages/fleet-sim/dist
COPY --from=build /app/packages/fleet-sim/bin packages/fleet-sim/bin
COPY --from=build /app/packages/dashboard/lib packages/dashboard/lib
COPY --from=build /app/packages/dashboard/dist packages/dashboard/dist
COPY examples ./examples
USER node
EXPOSE 8080
CMD ["node", "packages/server/bin/exrollout-server.mjs", "start"]
