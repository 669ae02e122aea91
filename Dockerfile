# One image for the server, the agent and the fleet simulator (the commands differ).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json tsconfig.tests.json ./
COPY packages ./packages
COPY scripts ./scripts
COPY examples ./examples
RUN npm ci --no-audit --no-fund && npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 8080
CMD ["node", "packages/server/bin/exrollout-server.mjs", "start"]
